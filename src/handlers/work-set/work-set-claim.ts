import type { DataSource } from 'typeorm';
import { contractSyncTable, isLockConflict } from './sql-helpers';

/** A claimed contract: the lease and the fencing data the release must present. */
export interface Claim {
  contractId: number;
  owner: string;
  /** Fencing token (bigint as string): increases with every claim of the row. */
  token: string;
  /** Generation the reconcile started at; the mark clears only if it is still current. */
  generation: string;
  epoch: number;
  /** Failures so far (for backoff). */
  attempts: number;
  verify: boolean;
  destructiveConfirmed: boolean;
  /** Oldest IXC change (ms since epoch) this claim covers, when the marks carried one. */
  sourceTsMs: number | null;
}

export interface ClaimOptions {
  owner: string;
  /** Rows to claim. */
  limit: number;
  leaseMs: number;
  /** One priority point is added per this much waiting, so old work is never starved. */
  agingStepMs: number;
  /** Cap on the aging bonus. */
  maxAgingBoost: number;
}

const READY = `dirty = 1 AND parked_reason IS NULL AND next_attempt_at <= NOW(3)
   AND (lease_expires_at IS NULL OR lease_expires_at <= NOW(3))`;

/**
 * Candidates, read without locks. Parameters: (agingStepSeconds, maxAgingBoost, limit).
 * Effective priority = priority + waiting time / step (capped): snapshot work ages past live work.
 */
const CLAIM_CANDIDATES_SQL = (t: string) => `SELECT contract_id FROM ${t}
 WHERE ${READY}
 ORDER BY priority + LEAST(TIMESTAMPDIFF(SECOND, COALESCE(marked_at, created_at), NOW(3)) DIV ?, ?) DESC, marked_at, contract_id
 LIMIT ?`;

/**
 * Locks still-ready rows among a slice of candidates, skipping rows another claimer holds. Point
 * lookups on the primary key only (FORCE INDEX): through the (dirty, next_attempt_at) index InnoDB
 * locked rows outside the slice and concurrent claims deadlocked or came back empty (measured:
 * 4 deadlocks in 20 paired claims). No ORDER BY either, since a filesort locks every candidate:
 * the caller walks the candidates in priority order, one slice at a time. The locked rows' columns
 * are what the claim returns: the take below changes them in a way the caller can compute, so
 * they need no read-back. Parameters: (ids, limit).
 */
const CLAIM_LOCK_SQL = (t: string) => `SELECT contract_id, lease_owner, claim_token, generation, epoch, attempts, verify_requested, destructive_confirmed, source_ts_ms
  FROM ${t} FORCE INDEX (PRIMARY)
 WHERE contract_id IN (?) AND ${READY}
 LIMIT ? FOR UPDATE SKIP LOCKED`;

/**
 * Takes the lease by the database clock. A row still carrying an (expired) owner was never released:
 * its last reconcile died mid-apply, so the record may be behind the platform and this claim reads
 * the platform (verify). Assignments run left to right: the check sees the old owner.
 * Parameters: (owner, leaseMs, ids).
 */
const CLAIM_TAKE_SQL = (t: string) => `UPDATE ${t}
   SET verify_requested = IF(lease_owner IS NULL, verify_requested, 1),
       lease_owner = ?, lease_expires_at = DATE_ADD(NOW(3), INTERVAL ? * 1000 MICROSECOND),
       claim_token = claim_token + 1, claimed_generation = generation
 WHERE contract_id IN (?)`;

interface LockedRow {
  contract_id: number;
  lease_owner: string | null;
  claim_token: string | number;
  generation: string | number;
  epoch: number;
  attempts: number;
  verify_requested: number;
  destructive_confirmed: number;
  source_ts_ms: string | number | null;
}

/**
 * Claims up to `limit` ready contracts (STYLE rule 9): one short transaction, `FOR UPDATE SKIP
 * LOCKED`, lease owner and expiry set by the database clock, claim token + 1, claimed generation
 * = generation. No row lock outlives it.
 */
export async function claimContracts(dataSource: DataSource, syncSchema: string, options: ClaimOptions): Promise<Claim[]> {
  const t = contractSyncTable(syncSchema);
  const agingStepSeconds = Math.max(1, Math.round(options.agingStepMs / 1000));
  const candidates = (await dataSource.query(CLAIM_CANDIDATES_SQL(t), [agingStepSeconds, options.maxAgingBoost, options.limit * 4])) as Array<{
    contract_id: number;
  }>;
  if (candidates.length === 0) return [];
  const order = candidates.map((c) => Number(c.contract_id));
  let rows: LockedRow[];
  try {
    rows = await claimTransaction(dataSource, t, order, options);
  } catch (err) {
    // Another claimer won a race for the same rows: an empty claim, the slot polls again.
    if (isLockConflict(err)) return [];
    throw err;
  }
  const rank = new Map(order.map((id, i) => [id, i]));
  // What CLAIM_TAKE_SQL made of each row while it was locked.
  return rows
    .map((r) => ({
      contractId: Number(r.contract_id),
      owner: options.owner,
      token: String(BigInt(r.claim_token) + 1n),
      generation: String(r.generation),
      epoch: Number(r.epoch),
      attempts: Number(r.attempts),
      verify: Number(r.verify_requested) === 1 || r.lease_owner !== null,
      destructiveConfirmed: Number(r.destructive_confirmed) === 1,
      sourceTsMs: r.source_ts_ms === null ? null : Number(r.source_ts_ms),
    }))
    .sort((a, b) => (rank.get(a.contractId) ?? 0) - (rank.get(b.contractId) ?? 0));
}

/** The short claim transaction, at READ COMMITTED so no gap or next-key locks are taken. */
function claimTransaction(dataSource: DataSource, t: string, order: number[], options: ClaimOptions): Promise<LockedRow[]> {
  return dataSource.transaction('READ COMMITTED', async (manager) => {
    const locked: LockedRow[] = [];
    for (let i = 0; i < order.length && locked.length < options.limit; ) {
      const want = options.limit - locked.length;
      locked.push(...((await manager.query(CLAIM_LOCK_SQL(t), [order.slice(i, i + want), want])) as LockedRow[]));
      i += want;
    }
    if (locked.length === 0) return locked;
    await manager.query(CLAIM_TAKE_SQL(t), [options.owner, options.leaseMs, locked.map((r) => r.contract_id)]);
    return locked;
  });
}
