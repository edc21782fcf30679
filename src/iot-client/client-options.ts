import type { IotConfig } from '../config/app-config';
import { cleartextUrlProblem } from '../lib/loopback';

/** Everything the IoT client can be tuned with; defaults in DEFAULT_IOT_CLIENT_OPTIONS. */
export interface IotClientOptions {
  /** Platform base URL. Required; `https://` unless loopback or `allowHttp`. */
  baseUrl: string;
  /** Development only: accept `http://` beyond loopback. @defaultValue false */
  allowHttp?: boolean;
  /** @defaultValue `/oauth/token` */
  tokenPath: string;
  /** `json` body (IXC spec) or `form` + HTTP Basic (RFC 6749). @defaultValue `json` */
  tokenEncoding: 'json' | 'form';
  /** Overrides `integracoes_iot.client_id`. */
  clientId?: string;
  /** Overrides `integracoes_iot.client_secret`. Never logged. */
  clientSecret?: string;
  /** TCP connect timeout. @defaultValue 5000 */
  connectTimeoutMs: number;
  /** Whole-request timeout per attempt. @defaultValue 20000 */
  readTimeoutMs: number;
  /** Attempts per call, first included. @defaultValue 5 */
  maxAttempts: number;
  /** Backoff: first delay, doubled per attempt (1, 2, 4, 8 s …). @defaultValue 1000 */
  backoffBaseMs: number;
  /** Backoff cap. @defaultValue 30000 */
  backoffMaxMs: number;
  /** Jitter: each delay is multiplied by a random factor in [1 − j, 1 + j]. @defaultValue 0.2 */
  backoffJitter: number;
  /** A Retry-After above this raises IotRescheduleError instead of sleeping. @defaultValue 10000 */
  maxRetryAfterWaitMs: number;
  /** Largest response body accepted; a bigger one is refused (not buffered further) and the call fails. @defaultValue 1048576 */
  maxResponseBytes: number;
  /** Client-side rate cap; the platform's limit is unknown. @defaultValue 20 */
  maxRequestsPerSecond: number;
  /** Requests in flight per process. @defaultValue 8 */
  maxConcurrency: number;
  /** @defaultValue 600000 */
  catalogCacheMs: number;
  /** @defaultValue 50 */
  breakerErrorThresholdPercent: number;
  /** @defaultValue 5 */
  breakerVolumeThreshold: number;
  /** Calls in the window before the host breaker may open (it sees all endpoints). @defaultValue 20 */
  breakerHostVolumeThreshold: number;
  /** @defaultValue 30000 */
  breakerResetTimeoutMs: number;
  /** @defaultValue 10000 */
  breakerRollingWindowMs: number;
  /** Renew the token this long before it expires. @defaultValue 60000 */
  renewBeforeExpiryMs: number;
  /** Assumed lifetime without `expires_in` or JWT `exp`. @defaultValue 3600000 */
  defaultTokenLifetimeMs: number;
}

export const DEFAULT_IOT_CLIENT_OPTIONS = {
  allowHttp: false,
  tokenPath: '/oauth/token',
  tokenEncoding: 'json',
  connectTimeoutMs: 5000,
  readTimeoutMs: 20_000,
  maxAttempts: 5,
  backoffBaseMs: 1000,
  backoffMaxMs: 30_000,
  backoffJitter: 0.2,
  maxRetryAfterWaitMs: 10_000,
  maxResponseBytes: 1_048_576,
  maxRequestsPerSecond: 20,
  maxConcurrency: 8,
  catalogCacheMs: 600_000,
  breakerErrorThresholdPercent: 50,
  breakerVolumeThreshold: 5,
  breakerHostVolumeThreshold: 20,
  breakerResetTimeoutMs: 30_000,
  breakerRollingWindowMs: 10_000,
  renewBeforeExpiryMs: 60_000,
  defaultTokenLifetimeMs: 3_600_000,
} satisfies Omit<Required<IotClientOptions>, 'baseUrl' | 'clientId' | 'clientSecret'>;

export type ResolvedIotClientOptions = typeof DEFAULT_IOT_CLIENT_OPTIONS & Pick<IotClientOptions, 'baseUrl' | 'clientId' | 'clientSecret'> &
  Omit<IotClientOptions, 'baseUrl' | 'clientId' | 'clientSecret'>;

export class IotClientOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IotClientOptionsError';
  }
}

/** Merges defaults once and validates, naming the field at fault. */
export function resolveIotClientOptions(options: Partial<IotClientOptions> & { baseUrl: string }): ResolvedIotClientOptions {
  const merged = { ...DEFAULT_IOT_CLIENT_OPTIONS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as ResolvedIotClientOptions;
  if (!/^https?:\/\//.test(merged.baseUrl)) throw new IotClientOptionsError(`baseUrl must be an http(s) URL, got "${merged.baseUrl}"`);
  const cleartext = merged.allowHttp ? undefined : cleartextUrlProblem('baseUrl', merged.baseUrl);
  if (cleartext !== undefined) throw new IotClientOptionsError(cleartext);
  for (const field of ['readTimeoutMs', 'connectTimeoutMs', 'maxAttempts', 'maxRequestsPerSecond', 'maxConcurrency'] as const) {
    if (!(merged[field] > 0)) throw new IotClientOptionsError(`${field} must be > 0`);
  }
  if (merged.backoffJitter < 0 || merged.backoffJitter >= 1) throw new IotClientOptionsError('backoffJitter must be in [0, 1)');
  return merged;
}

/** The client's options from the application config (IOT_* settings). */
export function iotClientOptionsFromConfig(iot: Readonly<IotConfig>): Partial<IotClientOptions> & { baseUrl: string } {
  if (!iot.baseUrl) throw new IotClientOptionsError('IOT_BASE_URL is required to call the IoT platform');
  return {
    baseUrl: iot.baseUrl,
    allowHttp: iot.allowHttp,
    tokenPath: iot.tokenPath,
    tokenEncoding: iot.tokenEncoding,
    clientId: iot.clientId,
    clientSecret: iot.clientSecret,
    connectTimeoutMs: iot.connectTimeoutMs,
    readTimeoutMs: iot.readTimeoutMs,
    maxAttempts: iot.retryAttempts,
    maxRetryAfterWaitMs: iot.maxRetryAfterWaitMs,
    maxResponseBytes: iot.maxResponseBytes,
    maxRequestsPerSecond: iot.maxRequestsPerSecond,
    maxConcurrency: iot.maxConcurrency,
    catalogCacheMs: iot.catalogCacheMs,
    breakerErrorThresholdPercent: iot.breakerErrorThresholdPercent,
    breakerVolumeThreshold: iot.breakerVolumeThreshold,
    breakerHostVolumeThreshold: iot.breakerVolumeThreshold * 4,
    breakerResetTimeoutMs: iot.breakerResetTimeoutMs,
  };
}
