/**
 * Typed errors of the IoT client. The reconcile loop decides by type (STYLE rule 6):
 * - IotApiPermanentError, CustomerValidationError: park the contract with the reason;
 * - IotApiUnavailableError: retry later with backoff (counts as an attempt);
 * - IotBreakerOpenError: pause without counting an attempt;
 * - IotRescheduleError: come back after `retryAfterMs` (a long Retry-After), not an attempt;
 * - IotConfigurationError: credentials or permissions are wrong; pause every reconcile.
 */

export interface FieldError {
  field: string;
  message: string;
}

export interface IotApiErrorDetails {
  status?: number;
  code?: string;
  fieldErrors?: FieldError[];
  requestId?: string;
  /** Method and path template, e.g. `POST /customers`. */
  endpoint?: string;
  /** Server-requested wait (`Retry-After`), when given. */
  retryAfterMs?: number;
  /** `existing_id` of a 409 problem, when given. */
  existingId?: string;
  /** The request may have been applied (timeout or reset after sending, 5xx): look up before retrying a create. */
  ambiguous?: boolean;
  cause?: unknown;
}

export class IotApiError extends Error {
  readonly retriable: boolean = false;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly fieldErrors: FieldError[];
  readonly requestId: string | undefined;
  readonly endpoint: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly existingId: string | undefined;
  readonly ambiguous: boolean;

  constructor(message: string, details: IotApiErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'IotApiError';
    this.status = details.status;
    this.code = details.code;
    this.fieldErrors = details.fieldErrors ?? [];
    this.requestId = details.requestId;
    this.endpoint = details.endpoint;
    this.retryAfterMs = details.retryAfterMs;
    this.existingId = details.existingId;
    this.ambiguous = details.ambiguous ?? false;
  }
}

/** 400, 404 where not "none", 409 that is not a duplicate, 422, licence limit, invalid transition. */
export class IotApiPermanentError extends IotApiError {
  constructor(message: string, details: IotApiErrorDetails = {}) {
    super(message, details);
    this.name = 'IotApiPermanentError';
  }
}

/** 5xx, 429, timeouts and resets that outlived the retries. */
export class IotApiUnavailableError extends IotApiError {
  override readonly retriable = true;
  constructor(message: string, details: IotApiErrorDetails = {}) {
    super(message, details);
    this.name = 'IotApiUnavailableError';
  }
}

/** A breaker (per endpoint or for the host) is open: no call was made. */
export class IotBreakerOpenError extends IotApiUnavailableError {
  readonly breaker: string;
  constructor(breaker: string) {
    super(`Circuit breaker open: ${breaker}`, { endpoint: breaker });
    this.name = 'IotBreakerOpenError';
    this.breaker = breaker;
  }
}

/** The platform asked us to wait longer than we sleep in-process (`Retry-After`). */
export class IotRescheduleError extends IotApiError {
  override readonly retriable = true;
  override readonly retryAfterMs: number;
  constructor(retryAfterMs: number, details: IotApiErrorDetails = {}) {
    super(`Platform asked to retry after ${Math.round(retryAfterMs / 1000)} s`, { ...details, retryAfterMs });
    this.name = 'IotRescheduleError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** 401 after a token refresh, 403, or `invalid_client`: an operator must fix the integration. */
export class IotConfigurationError extends IotApiError {
  constructor(message: string, details: IotApiErrorDetails = {}) {
    super(message, details);
    this.name = 'IotConfigurationError';
  }
}

/** Customer data failed local validation; nothing was sent. */
export class CustomerValidationError extends Error {
  readonly retriable = false;
  readonly field: string;
  readonly reason: string;
  constructor(field: string, reason: string) {
    super(`Invalid customer ${field}: ${reason}`);
    this.name = 'CustomerValidationError';
    this.field = field;
    this.reason = reason;
  }
}

export function isRetriable(err: unknown): boolean {
  return err instanceof IotApiError ? err.retriable : false;
}
