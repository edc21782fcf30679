import type { EntityManager } from 'typeorm';
import type { ContractSyncRow } from '../../entities/sync/sync-entities';
import { LeaseLostError } from '../errors';
import type { Claim } from './work-set-claim';
import { affectedRows, contractSyncTable, type Queryable } from './sql-helpers';

/** Extends a held lease by the database clock. Parameters: (leaseMs, contract_id, owner, token). */
const RENEW_SQL = (t: string) => `UPDATE ${t}
   SET lease_expires_at = DATE_ADD(NOW(3), INTERVAL ? * 1000 MICROSECOND)
 WHERE contract_id = ? AND lease_owner = ? AND claim_token = ? AND lease_expires_at > NOW(3)`;

/** Why a release matched nothing (only then read). Parameters: (contract_id). */
const LEASE_SQL = (t: string) => `SELECT lease_owner, claim_token, (lease_expires_at IS NOT NULL AND lease_expires_at > NOW(3)) AS live
  FROM ${t} WHERE contract_id = ?`;

/** The contract's platform state as its sync row records it; the release writes it when it changed. */
export type ContractStateColumns = Pick<
  ContractSyncRow,
  'epoch' | 'customerRef' | 'subscriptionRef' | 'subscriptionExternalId' | 'subscriptionStatus' | 'ownerClienteId' | 'ownerDocumentKey' | 'ownerChange'
>;

const STATE_ASSIGNMENTS = `epoch = ?, customer_ref = ?, subscription_ref = ?, subscription_external_id = ?, subscription_status = ?,
  owner_cliente_id = ?, owner_document = ?, owner_change = ?,`;

/** RELEASE_SQL's parameters: the state's (when given) first. */
function releaseParams(claim: Claim, outcome: string, planJson: string | null, state: ContractStateColumns | undefined): unknown[] {
  const stateParams = state
    ? [state.epoch, state.customerRef, state.subscriptionRef, state.subscriptionExternalId, state.subscriptionStatus, state.ownerClienteId, state.ownerDocumentKey, state.ownerChange]
    : [];
  return [...stateParams, outcome, planJson, claim.contractId, claim.owner, claim.token];
}

/**
 * Releases the lease while it is live (owner, token, expiry by the database clock), writing the
 * contract's state with it when given (parameters first, in ContractStateColumns' order). The mark
 * is cleared only when no newer generation arrived: `current` also requires that, so the common
 * case is one statement; without it, the IF()s keep the newer mark. Assignments run left to
 * right: `claimed_generation` is reset last.
 * Parameters: ([state…], last_outcome, last_plan, contract_id, owner, token).
 */
const RELEASE_SQL = (t: string, withState: boolean, current: boolean) => `UPDATE ${t}
   SET ${withState ? STATE_ASSIGNMENTS : ''}
       dirty = IF(generation = claimed_generation, 0, 1),
       verify_requested = IF(generation = claimed_generation, 0, verify_requested),
       priority = IF(generation = claimed_generation, 0, priority),
       marked_at = IF(generation = claimed_generation, NULL, marked_at),
       source_ts_ms = IF(generation = claimed_generation, NULL, source_ts_ms),
       destructive_confirmed = 0,
       attempts = 0, next_attempt_at = NOW(3),
       parked_reason = NULL, parked_detail = NULL, parked_at = NULL,
       last_error = NULL, last_outcome = ?, last_plan = ?, last_reconciled_at = NOW(3),
       lease_owner = NULL, lease_expires_at = NULL, claimed_generation = NULL
 WHERE contract_id = ? AND lease_owner = ? AND claim_token = ? AND lease_expires_at > NOW(3)${current ? ' AND generation = claimed_generation' : ''}`;

/** Renews at half the lease; false when the lease is gone (the reconcile must abort). */
export async function renewLease(db: Queryable, syncSchema: string, claim: Claim, leaseMs: number): Promise<boolean> {
  const result = await db.query(RENEW_SQL(contractSyncTable(syncSchema)), [leaseMs, claim.contractId, claim.owner, claim.token]);
  return affectedRows(result) === 1;
}

/**
 * The one release of a reconcile, as the first statement of its write-back transaction: it locks
 * the sync row until COMMIT, so no other worker can take the contract over before the rest is
 * written. Writes the contract's state with it when given. Throws LeaseLostError when the lease
 * was lost (the transaction then rolls back: a stale holder writes nothing). Returns whether a
 * newer generation arrived meanwhile (the contract then stays dirty and runs again).
 */
export async function releaseClaim(
  manager: EntityManager,
  syncSchema: string,
  claim: Claim,
  outcome: string,
  planJson: string | null,
  state?: ContractStateColumns,
): Promise<{ newerGeneration: boolean }> {
  const t = contractSyncTable(syncSchema);
  const params = releaseParams(claim, outcome, planJson, state);
  if (affectedRows(await manager.query(RELEASE_SQL(t, state !== undefined, true), params)) === 1) return { newerGeneration: false };
  if (affectedRows(await manager.query(RELEASE_SQL(t, state !== undefined, false), params)) === 1) return { newerGeneration: true };
  throw new LeaseLostError(claim.contractId, await whyLost(manager, t, claim));
}

async function whyLost(manager: EntityManager, table: string, claim: Claim): Promise<string> {
  const rows = (await manager.query(LEASE_SQL(table), [claim.contractId])) as Array<{ lease_owner: string | null; claim_token: string | number; live: number | string }>;
  const row = rows[0];
  if (row === undefined) return 'sync row missing';
  if (row.lease_owner !== claim.owner || String(row.claim_token) !== claim.token) return 'claimed by another worker since';
  return Number(row.live) === 1 ? 'release matched no row' : 'lease expired';
}
