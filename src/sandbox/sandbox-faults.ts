/**
 * Per-endpoint fault injection. Keys are endpoint templates (`POST /customers`,
 * `GET /subscriptions/{id}/licenses`, `POST /oauth/token`) or `*` for every endpoint.
 */
export interface EndpointFault {
  /** Fixed latency before the request is handled. */
  latencyMs?: number;
  /** Extra random latency, uniform in [0, latencyJitterMs). */
  latencyJitterMs?: number;
  /** Fraction (0..1) of requests answered with `errorStatus` instead of being handled. */
  errorRate?: number;
  /** @defaultValue 500 */
  errorStatus?: number;
  /** The problem's free-text `detail` for injected errors (a real platform may quote the customer there). @defaultValue `Injected fault` */
  errorDetail?: string;
  /** Answer 429 with this `Retry-After` in seconds. */
  rateLimitRetryAfterSeconds?: number;
  /** Send `Retry-After` as an HTTP date instead of seconds. */
  retryAfterAsDate?: boolean;
  /** Total outage: every request gets 503. */
  outage?: boolean;
  /** Handle (commit) the request, then hold the response this long and drop the connection. */
  commitThenTimeoutMs?: number;
  /** Apply to this many more requests only, then the fault is removed. */
  remaining?: number;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'status'; status: number; code: string; headers: Record<string, string>; detail?: string };

export interface SandboxFaults {
  set(endpoint: string, fault: EndpointFault): void;
  clear(endpoint?: string): void;
  all(): Record<string, EndpointFault>;
  /** Takes (and counts down) the fault that applies to this endpoint. */
  take(endpoint: string): EndpointFault | undefined;
}

export function createSandboxFaults(): SandboxFaults {
  const faults = new Map<string, EndpointFault>();
  return {
    set(endpoint, fault) {
      faults.set(endpoint, { ...fault });
    },
    clear(endpoint) {
      if (endpoint === undefined) faults.clear();
      else faults.delete(endpoint);
    },
    all: () => Object.fromEntries(faults),
    take(endpoint) {
      const key = faults.has(endpoint) ? endpoint : faults.has('*') ? '*' : undefined;
      if (key === undefined) return undefined;
      const fault = faults.get(key);
      if (!fault) return undefined;
      if (fault.remaining !== undefined) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) faults.delete(key);
      }
      return fault;
    },
  };
}

/** Latency to apply before handling, in ms. */
export function faultLatencyMs(fault: EndpointFault | undefined): number {
  if (!fault) return 0;
  return (fault.latencyMs ?? 0) + (fault.latencyJitterMs ? Math.floor(Math.random() * fault.latencyJitterMs) : 0);
}

/** An error answer the fault forces instead of handling the request. */
export function faultDecision(fault: EndpointFault | undefined): FaultDecision {
  if (!fault) return { kind: 'none' };
  if (fault.outage) return { kind: 'status', status: 503, code: 'SERVICE_UNAVAILABLE', headers: {} };
  if (fault.rateLimitRetryAfterSeconds !== undefined) {
    const seconds = fault.rateLimitRetryAfterSeconds;
    const value = fault.retryAfterAsDate ? new Date(Date.now() + seconds * 1000).toUTCString() : String(seconds);
    return { kind: 'status', status: 429, code: 'RATE_LIMITED', headers: { 'retry-after': value } };
  }
  if (fault.errorRate !== undefined && Math.random() < fault.errorRate) {
    const status = fault.errorStatus ?? 500;
    return { kind: 'status', status, code: status >= 500 ? 'INTERNAL_ERROR' : 'INJECTED_ERROR', headers: {}, detail: fault.errorDetail };
  }
  return { kind: 'none' };
}
