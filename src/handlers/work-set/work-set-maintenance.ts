import { q } from '../../migrations/schema-names';
import { affectedRows, contractSyncTable, type Queryable } from './sql-helpers';

/** Frees leases whose holder died; the rows stay dirty for the next claim. No parameters. */
const SWEEP_SQL = (t: string) => `UPDATE ${t}
   SET verify_requested = 1, lease_owner = NULL, lease_expires_at = NULL, claimed_generation = NULL
 WHERE lease_expires_at IS NOT NULL AND lease_expires_at <= NOW(3)`;

/**
 * Hourly retry of parked rows at low priority; an awaiting-confirmation park waits for the
 * operator. Parameters: (priority, parkedForMs).
 */
const RETRY_PARKED_SQL = (t: string) => `UPDATE ${t}
   SET parked_reason = NULL, parked_detail = NULL, parked_at = NULL, priority = ?, next_attempt_at = NOW(3),
       marked_at = COALESCE(marked_at, NOW(3))
 WHERE parked_reason IS NOT NULL AND parked_reason <> 'awaiting_confirmation'
   AND parked_at <= DATE_SUB(NOW(3), INTERVAL ? * 1000 MICROSECOND)`;

/** Operator un-park (`reconcile --failed`): parameters (priority, ids) or (priority) for all. */
const UNPARK_SQL = (t: string, all: boolean) => `UPDATE ${t}
   SET parked_reason = NULL, parked_detail = NULL, parked_at = NULL, attempts = 0,
       priority = GREATEST(priority, ?), next_attempt_at = NOW(3), dirty = 1, generation = generation + 1,
       marked_at = COALESCE(marked_at, NOW(3))
 WHERE parked_reason IS NOT NULL AND parked_reason <> 'awaiting_confirmation'${all ? '' : ' AND contract_id IN (?)'}`;

/**
 * Operator confirmation of a blast-radius park: only flags the parked rows (they cannot be claimed
 * meanwhile); the caller's following mark un-parks them, so one generation covers both.
 * Parameters: (ids) or none for all.
 */
const CONFIRM_SQL = (t: string, all: boolean) => `UPDATE ${t}
   SET destructive_confirmed = 1
 WHERE parked_reason = 'awaiting_confirmation'${all ? '' : ' AND contract_id IN (?)'}`;

/** Worker liveness for the CLI. Parameters: (owner). */
const HEARTBEAT_SQL = (s: string) => `INSERT INTO ${s}.\`worker_heartbeat\` (owner, started_at, seen_at) VALUES (?, NOW(3), NOW(3))
  ON DUPLICATE KEY UPDATE seen_at = NOW(3)`;
/** Parameters: (owner). */
const HEARTBEAT_DELETE_SQL = (s: string) => `DELETE FROM ${s}.\`worker_heartbeat\` WHERE owner = ?`;
/** Owners seen recently, other than the caller. Parameters: (freshMs, excludedOwner). */
const LIVE_WORKERS_SQL = (s: string) => `SELECT owner FROM ${s}.\`worker_heartbeat\`
 WHERE seen_at > DATE_SUB(NOW(3), INTERVAL ? * 1000 MICROSECOND) AND owner <> ?`;

export async function sweepExpiredLeases(db: Queryable, syncSchema: string): Promise<number> {
  return affectedRows(await db.query(SWEEP_SQL(contractSyncTable(syncSchema))));
}

export async function retryParked(db: Queryable, syncSchema: string, priority: number, parkedForMs: number): Promise<number> {
  return affectedRows(await db.query(RETRY_PARKED_SQL(contractSyncTable(syncSchema)), [priority, parkedForMs]));
}

/** Un-parks the given contracts, or every parked one with `'all'`. */
export async function unparkContracts(db: Queryable, syncSchema: string, ids: readonly number[] | 'all', priority: number): Promise<number> {
  if (ids !== 'all' && ids.length === 0) return 0;
  const t = contractSyncTable(syncSchema);
  const result = ids === 'all' ? await db.query(UNPARK_SQL(t, true), [priority]) : await db.query(UNPARK_SQL(t, false), [priority, [...ids]]);
  return affectedRows(result);
}

/** Confirms blast-radius parks; mark the contracts afterwards (the mark un-parks them). */
export async function confirmDestructive(db: Queryable, syncSchema: string, ids: readonly number[] | 'all'): Promise<number> {
  if (ids !== 'all' && ids.length === 0) return 0;
  const t = contractSyncTable(syncSchema);
  const result = ids === 'all' ? await db.query(CONFIRM_SQL(t, true)) : await db.query(CONFIRM_SQL(t, false), [[...ids]]);
  return affectedRows(result);
}

export async function beatHeart(db: Queryable, syncSchema: string, owner: string): Promise<void> {
  await db.query(HEARTBEAT_SQL(q(syncSchema)), [owner]);
}

export async function clearHeartbeat(db: Queryable, syncSchema: string, owner: string): Promise<void> {
  await db.query(HEARTBEAT_DELETE_SQL(q(syncSchema)), [owner]);
}

/** Workers (other than `self`) whose heartbeat is fresher than `freshMs`. */
export async function liveWorkers(db: Queryable, syncSchema: string, freshMs: number, self = ''): Promise<string[]> {
  const rows = (await db.query(LIVE_WORKERS_SQL(q(syncSchema)), [freshMs, self])) as Array<{ owner: string }>;
  return rows.map((r) => r.owner);
}
