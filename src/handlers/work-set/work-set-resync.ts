import { q } from '../../migrations/schema-names';
import { affectedRows, contractSyncTable, type Queryable } from './sql-helpers';

/** Creates the job's row once, dated now: the first run comes one interval after the first start. Parameters: (name). */
const ENSURE_RUN_SQL = (s: string) => `INSERT IGNORE INTO ${s}.\`maintenance_runs\` (name, last_run_at) VALUES (?, NOW(3))`;
/**
 * Takes the run when the interval has passed; exactly one instance's UPDATE matches.
 * Parameters: (owner, name, intervalMs).
 */
const TAKE_RUN_SQL = (s: string) => `UPDATE ${s}.\`maintenance_runs\` SET last_run_at = NOW(3), owner = ?
 WHERE name = ? AND last_run_at <= DATE_SUB(NOW(3), INTERVAL ? * 1000 MICROSECOND)`;
/**
 * Marks every provisioned contract for a verify reconcile, in one statement, without un-parking
 * (DESIGN.md § Drift: the daily low-priority resync). Parameters: (priority, priority).
 */
const MARK_VERIFY_RESYNC_SQL = (t: string) => `UPDATE ${t}
   SET marked_at = IF(dirty = 1 AND marked_at IS NOT NULL, marked_at, NOW(3)),
       priority = IF(dirty = 1, GREATEST(priority, ?), ?),
       generation = generation + 1, dirty = 1, verify_requested = 1
 WHERE subscription_ref IS NOT NULL OR intent IS NOT NULL`;

/** True when this caller won the periodic job `name` for this interval (across instances). */
export async function takePeriodicRun(db: Queryable, syncSchema: string, name: string, intervalMs: number, owner: string): Promise<boolean> {
  const s = q(syncSchema);
  await db.query(ENSURE_RUN_SQL(s), [name]);
  return affectedRows(await db.query(TAKE_RUN_SQL(s), [owner, name, intervalMs])) === 1;
}

/** Marks provisioned contracts for a verify reconcile at `priority`; returns how many. */
export async function markVerifyResync(db: Queryable, syncSchema: string, priority: number): Promise<number> {
  return affectedRows(await db.query(MARK_VERIFY_RESYNC_SQL(contractSyncTable(syncSchema)), [priority, priority]));
}
