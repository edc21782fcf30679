import { coerceError } from '../lib/coerce-error';
import { maskText } from '../lib/mask';
import { PlanConflictError } from './apply/apply-plan';
import { CustomerValidationError } from './domain/customer/validation-error';
import { ExternalRefError } from './domain/external-refs';
import { BlastRadiusLockTimeoutError, ChangeSettlingError, ReconcileAbortedError } from './errors';
import {
  PlatformBreakerOpenError,
  PlatformConfigurationError,
  PlatformRejectedError,
  PlatformRetryAfterError,
  type PlatformRejectionReason,
} from './ports/platform-errors';
import type { FailureDisposition } from './work-set/work-set-failure';

export interface ClassifyOptions {
  /** Backoff for the attempts already made (transient failures). */
  backoffMs(attempts: number): number;
  /** Wait after a breaker-open error. @defaultValue 15000 */
  breakerDelayMs: number;
  /** Pause after a configuration fault (401 after refresh, 403). @defaultValue 60000 */
  configurationPauseMs: number;
}

export interface Classified {
  disposition: FailureDisposition;
  /** Every reconcile should pause (configuration fault), as for an open breaker. */
  pauseAll: boolean;
  /** The reconcile waits its turn behind the blast-radius guard (its lock busy, its change still being marked): logged as a wait, not a failure. */
  waiting: boolean;
}

/** Park reasons are stored in sync rows and read by operators and `status`: spelled as stored. */
const PARK_REASON: Readonly<Record<PlatformRejectionReason, string>> = {
  licence_limit: 'licence_limit',
  invalid_transition: 'invalid_transition',
  validation: 'validation',
  rejected: 'api_rejected',
};

/**
 * Decides by type (STYLE rule 6) how a failed reconcile returns to the work set: transient →
 * backoff with an attempt; permanent (422, invalid document, licence limit, invalid transition)
 * → parked with the reason; breaker open, long Retry-After, configuration fault or shutdown →
 * rescheduled without an attempt. Messages are masked: no CPF or e-mail reaches the sync row.
 */
export function classifyFailure(thrown: unknown, attempts: number, options: ClassifyOptions): Classified {
  const err = coerceError(thrown);
  const message = maskText(err.message);
  if (err instanceof CustomerValidationError) {
    return { disposition: { kind: 'park', reason: 'invalid_customer', detail: `Invalid customer ${err.field}: ${err.reason}` }, pauseAll: false, waiting: false };
  }
  if (err instanceof PlatformBreakerOpenError) return { disposition: { kind: 'reschedule', delayMs: options.breakerDelayMs, error: message }, pauseAll: false, waiting: false };
  if (err instanceof PlatformRetryAfterError) return { disposition: { kind: 'reschedule', delayMs: err.retryAfterMs, error: message }, pauseAll: false, waiting: false };
  if (err instanceof PlatformConfigurationError) return { disposition: { kind: 'reschedule', delayMs: options.configurationPauseMs, error: message }, pauseAll: true, waiting: false };
  if (err instanceof ReconcileAbortedError) return { disposition: { kind: 'reschedule', delayMs: 0, error: message }, pauseAll: false, waiting: false };
  // Waiting behind other destructive reconciles is not a failure: no attempt counted.
  if (err instanceof BlastRadiusLockTimeoutError || err instanceof ChangeSettlingError) {
    return { disposition: { kind: 'reschedule', delayMs: 1000, error: message }, pauseAll: false, waiting: true };
  }
  if (err instanceof PlatformRejectedError) {
    const reason = PARK_REASON[err.reason];
    const fields = err.fieldErrors.map((f) => (f.message ? `${f.field}: ${f.message}` : f.field)).join('; ');
    return { disposition: { kind: 'park', reason, detail: maskText(fields ? `${err.message} (${fields})` : err.message) }, pauseAll: false, waiting: false };
  }
  if (err instanceof PlanConflictError || err instanceof ExternalRefError) {
    return { disposition: { kind: 'park', reason: 'conflict', detail: message }, pauseAll: false, waiting: false };
  }
  return { disposition: { kind: 'retry', delayMs: options.backoffMs(attempts), error: `${err.name}: ${message}` }, pauseAll: false, waiting: false };
}
