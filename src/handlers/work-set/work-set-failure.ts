import type { Queryable } from './sql-helpers';
import { affectedRows, contractSyncTable } from './sql-helpers';
import type { Claim } from './work-set-claim';

/** How a failed reconcile goes back into the work set. */
export type FailureDisposition =
  /** Transient: counts an attempt and backs off. */
  | { kind: 'retry'; delayMs: number; error: string }
  /** Permanent: parked with the reason until the source rows change, `--failed`, or the hourly retry. */
  | { kind: 'park'; reason: string; detail: string }
  /** Breaker open, Retry-After, configuration fault, shutdown: come back later, no attempt counted. */
  | { kind: 'reschedule'; delayMs: number; error: string };

/**
 * Fenced failure record. A newer generation (the source changed during the run) is never parked:
 * it is retried at once, since the change may be the fix. A failed reconcile may have applied part
 * of its plan (licences blocked, then the subscription call failed) without writing it back, so the
 * next one reads the platform (verify) instead of trusting the record. Assignments run left to right.
 * Parameters: (countAttempt, delayMs, park, reason, detail, park, error, outcome, contract_id, owner, token).
 */
const FAIL_SQL = (t: string) => `UPDATE ${t}
   SET attempts = attempts + ?,
       next_attempt_at = IF(generation = claimed_generation, DATE_ADD(NOW(3), INTERVAL ? * 1000 MICROSECOND), NOW(3)),
       parked_reason = IF(? = 1 AND generation = claimed_generation, ?, NULL),
       parked_detail = IF(parked_reason IS NULL, NULL, ?),
       parked_at = IF(parked_reason IS NULL, NULL, NOW(3)),
       destructive_confirmed = IF(? = 1, 0, destructive_confirmed),
       last_error = ?, last_error_at = NOW(3), last_outcome = ?,
       verify_requested = 1,
       lease_owner = NULL, lease_expires_at = NULL, claimed_generation = NULL
 WHERE contract_id = ? AND lease_owner = ? AND claim_token = ?`;

/** Records a failure and releases the lease; false when the lease was already lost (nothing written). */
export async function recordFailure(db: Queryable, syncSchema: string, claim: Claim, disposition: FailureDisposition): Promise<boolean> {
  const park = disposition.kind === 'park';
  const params = [
    disposition.kind === 'retry' ? 1 : 0,
    park ? 0 : disposition.delayMs,
    park ? 1 : 0,
    park ? disposition.reason : null,
    park ? disposition.detail : null,
    park ? 1 : 0,
    (park ? disposition.detail : disposition.error).slice(0, 4000),
    park ? 'parked' : disposition.kind === 'retry' ? 'failed' : 'rescheduled',
    claim.contractId,
    claim.owner,
    claim.token,
  ];
  return affectedRows(await db.query(FAIL_SQL(contractSyncTable(syncSchema)), params)) === 1;
}
