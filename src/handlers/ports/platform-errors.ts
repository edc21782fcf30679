/**
 * How a call through the IotPlatform port fails, as the reconcile core decides on it
 * (`classify-failure.ts`, by class and `reason`). The adapter (`src/iot-client/`) throws these or
 * subclasses and is the one place that reads the platform's wire codes and statuses.
 */

export interface FieldError {
  field: string;
  message: string;
}

export interface PlatformErrorDetails {
  /** Which call, e.g. `POST /customers`. */
  endpoint?: string;
  /** For logs and support only: decide on the class and `reason`, never on these. */
  status?: number;
  code?: string;
  requestId?: string;
  cause?: unknown;
}

export class PlatformError extends Error {
  readonly endpoint: string | undefined;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, details: PlatformErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PlatformError';
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
  }
}

/** Why the platform refused a request; each parks the contract with its own reason. */
export type PlatformRejectionReason = 'licence_limit' | 'invalid_transition' | 'validation' | 'rejected';

/** The platform refused the request (4xx): the same request will not succeed later. */
export class PlatformRejectedError extends PlatformError {
  readonly reason: PlatformRejectionReason;
  readonly fieldErrors: FieldError[];
  constructor(message: string, reason: PlatformRejectionReason, details: PlatformErrorDetails & { fieldErrors?: FieldError[] } = {}) {
    super(message, details);
    this.name = 'PlatformRejectedError';
    this.reason = reason;
    this.fieldErrors = details.fieldErrors ?? [];
  }
}

/** The platform or the network failed (5xx, 429, timeout, reset) and the client's retries ran out: retry later. */
export class PlatformUnavailableError extends PlatformError {
  constructor(message: string, details: PlatformErrorDetails = {}) {
    super(message, details);
    this.name = 'PlatformUnavailableError';
  }
}

/** A circuit breaker (per endpoint or for the host) is open: no call was made. */
export class PlatformBreakerOpenError extends PlatformUnavailableError {
  readonly breaker: string;
  constructor(breaker: string) {
    super(`Circuit breaker open: ${breaker}`, { endpoint: breaker });
    this.name = 'PlatformBreakerOpenError';
    this.breaker = breaker;
  }
}

/** The platform asked us (`Retry-After`) to wait longer than the client sleeps in-process. */
export class PlatformRetryAfterError extends PlatformError {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, details: PlatformErrorDetails = {}) {
    super(`Platform asked to retry after ${Math.round(retryAfterMs / 1000)} s`, details);
    this.name = 'PlatformRetryAfterError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** Credentials or permissions are wrong (401 after a token refresh, 403, refused token): an operator must fix the integration. */
export class PlatformConfigurationError extends PlatformError {
  constructor(message: string, details: PlatformErrorDetails = {}) {
    super(message, details);
    this.name = 'PlatformConfigurationError';
  }
}
