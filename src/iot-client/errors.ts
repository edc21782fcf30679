/**
 * The client's errors: the port's (`handlers/ports/platform-errors.ts`) plus what the client needs
 * for its own retries and conflicts. The reconcile loop decides by the port's classes (STYLE rule 6):
 * - IotApiPermanentError (a rejection, its reason read from the wire code): park the contract;
 * - IotApiUnavailableError: retry later with backoff (counts as an attempt);
 * - IotBreakerOpenError: pause without counting an attempt;
 * - IotRescheduleError: come back after `retryAfterMs` (a long Retry-After), not an attempt;
 * - IotConfigurationError: credentials or permissions are wrong; pause every reconcile.
 * The `IotApi…` names stay: they appear in the error text kept in sync rows and logs.
 */
import {
  PlatformBreakerOpenError,
  PlatformConfigurationError,
  PlatformRejectedError,
  PlatformRetryAfterError,
  PlatformUnavailableError,
  type FieldError,
  type PlatformErrorDetails,
} from '../handlers/ports/platform-errors';
import { rejectionReasonFromWire } from './api-contract';

export interface IotApiErrorDetails extends PlatformErrorDetails {
  fieldErrors?: FieldError[];
  /** Server-requested wait (`Retry-After`), when given. */
  retryAfterMs?: number;
  /** `existing_id` of a 409 problem, when given. */
  existingId?: string;
  /** The request may have been applied (timeout or reset after sending, 5xx): look up before retrying a create. */
  ambiguous?: boolean;
}

/** 400, 404 where not "none", 409 that is not a duplicate, 422, licence limit, invalid transition. */
export class IotApiPermanentError extends PlatformRejectedError {
  readonly existingId: string | undefined;
  constructor(message: string, details: IotApiErrorDetails = {}) {
    super(message, rejectionReasonFromWire(details.code, details.status), details);
    this.name = 'IotApiPermanentError';
    this.existingId = details.existingId;
  }
}

/** 5xx, 429, timeouts and resets that outlived the retries. */
export class IotApiUnavailableError extends PlatformUnavailableError {
  readonly retryAfterMs: number | undefined;
  readonly ambiguous: boolean;
  constructor(message: string, details: IotApiErrorDetails = {}) {
    super(message, details);
    this.name = 'IotApiUnavailableError';
    this.retryAfterMs = details.retryAfterMs;
    this.ambiguous = details.ambiguous ?? false;
  }
}

/** A breaker (per endpoint or for the host) is open: no call was made. */
export class IotBreakerOpenError extends PlatformBreakerOpenError {
  constructor(breaker: string) {
    super(breaker);
    this.name = 'IotBreakerOpenError';
  }
}

/** The platform asked us to wait longer than we sleep in-process (`Retry-After`). */
export class IotRescheduleError extends PlatformRetryAfterError {
  constructor(retryAfterMs: number, details: PlatformErrorDetails = {}) {
    super(retryAfterMs, details);
    this.name = 'IotRescheduleError';
  }
}

/** 401 after a token refresh, 403, or `invalid_client`: an operator must fix the integration. */
export class IotConfigurationError extends PlatformConfigurationError {
  constructor(message: string, details: PlatformErrorDetails = {}) {
    super(message, details);
    this.name = 'IotConfigurationError';
  }
}
