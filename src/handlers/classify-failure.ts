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
  const park = (reason: string, detail: string): Classified => classified({ kind: 'park', reason, detail });
  const reschedule = (delayMs: number, flags?: Partial<Omit<Classified, 'disposition'>>): Classified =>
    classified({ kind: 'reschedule', delayMs, error: message }, flags);
  if (err instanceof CustomerValidationError) return park('invalid_customer', `Invalid customer ${err.field}: ${err.reason}`);
  if (err instanceof PlatformBreakerOpenError) return reschedule(options.breakerDelayMs);
  if (err instanceof PlatformRetryAfterError) return reschedule(err.retryAfterMs);
  if (err instanceof PlatformConfigurationError) return reschedule(options.configurationPauseMs, { pauseAll: true });
  if (err instanceof ReconcileAbortedError) return reschedule(0);
  // Waiting behind other destructive reconciles is not a failure: no attempt counted.
  if (err instanceof BlastRadiusLockTimeoutError || err instanceof ChangeSettlingError) return reschedule(1000, { waiting: true });
  if (err instanceof PlatformRejectedError) {
    const fields = err.fieldErrors.map((f) => (f.message ? `${f.field}: ${f.message}` : f.field)).join('; ');
    return park(PARK_REASON[err.reason], maskText(fields ? `${err.message} (${fields})` : err.message));
  }
  if (err instanceof PlanConflictError || err instanceof ExternalRefError) return park('conflict', message);
  return classified({ kind: 'retry', delayMs: options.backoffMs(attempts), error: `${err.name}: ${message}` });
}

const classified = (disposition: FailureDisposition, flags: Partial<Omit<Classified, 'disposition'>> = {}): Classified => ({
  disposition,
  pauseAll: flags.pauseAll ?? false,
  waiting: flags.waiting ?? false,
});
