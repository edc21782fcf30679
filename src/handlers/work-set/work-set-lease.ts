import type { EntityManager } from 'typeorm';
import { LeaseLostError } from '../errors';
import type { Claim } from './work-set-claim';
import { affectedRows, contractSyncTable, type Queryable } from './sql-helpers';

/** Extends a held lease by the database clock. Parameters: (leaseMs, contract_id, owner, token). */
const RENEW_SQL = (t: string) => `UPDATE ${t}
   SET lease_expires_at = DATE_ADD(NOW(3), INTERVAL ? * 1000 MICROSECOND)
 WHERE contract_id = ? AND lease_owner = ? AND claim_token = ? AND lease_expires_at > NOW(3)`;

/** Re-locks the row inside the write-back transaction. Parameters: (contract_id). */
const FENCE_SQL = (t: string) => `SELECT lease_owner, claim_token, generation, claimed_generation,
       (lease_expires_at IS NOT NULL AND lease_expires_at > NOW(3)) AS live
  FROM ${t} WHERE contract_id = ? FOR UPDATE`;

/** The contract's platform state as its sync row records it; the release writes it when it changed. */
export interface ContractStateColumns {
  epoch: number;
  customerRef: string | null;
  subscriptionRef: string | null;
  subscriptionExternalId: string | null;
  subscriptionStatus: string | null;
  ownerClienteId: number | null;
  /** The owner's document key (src/handlers/domain/document-key.ts). */
  ownerDocumentKey: string | null;
  ownerChange: string | null;
}

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
 * Clears the mark only when no newer generation arrived, and releases the lease; with `withState`
 * it also writes the contract's platform state (parameters first, in ContractStateColumns' order).
 * Assignments run left to right: `claimed_generation` is reset last.
 * Parameters: ([state…], last_outcome, last_plan, contract_id, owner, token).
 */
const RELEASE_SQL = (t: string, withState = false) => `UPDATE ${t}
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
 WHERE contract_id = ? AND lease_owner = ? AND claim_token = ?`;

/**
 * Releases in one statement, only while the lease is live and no newer generation arrived.
 * Parameters: as RELEASE_SQL.
 */
const RELEASE_IF_CURRENT_SQL = (t: string, withState: boolean) => `${RELEASE_SQL(t, withState)}
   AND lease_expires_at > NOW(3) AND generation = claimed_generation`;

/**
 * Gives back a claim no reconcile started (taken ahead, then the slots stopped): the lease and the
 * claimed generation are cleared, the mark stays, so the next claimer (any instance) takes it at
 * once instead of after the lease. Parameters: (contract_id, owner, token).
 */
const UNCLAIM_SQL = (t: string) => `UPDATE ${t}
   SET lease_owner = NULL, lease_expires_at = NULL, claimed_generation = NULL
 WHERE contract_id = ? AND lease_owner = ? AND claim_token = ?`;

/** Gives back an unstarted claim; false when the lease was no longer ours. */
export async function unclaim(db: Queryable, syncSchema: string, claim: Claim): Promise<boolean> {
  const result = await db.query(UNCLAIM_SQL(contractSyncTable(syncSchema)), [claim.contractId, claim.owner, claim.token]);
  return affectedRows(result) === 1;
}

/** Renews at half the lease; false when the lease is gone (the reconcile must abort). */
export async function renewLease(db: Queryable, syncSchema: string, claim: Claim, leaseMs: number): Promise<boolean> {
  const result = await db.query(RENEW_SQL(contractSyncTable(syncSchema)), [leaseMs, claim.contractId, claim.owner, claim.token]);
  return affectedRows(result) === 1;
}

/**
 * Inside a transaction: locks the sync row and checks owner, token and expiry. Throws
 * LeaseLostError when a stale holder tries to write: the whole transaction then rolls back.
 * Returns whether a newer generation arrived meanwhile.
 */
export async function assertLeaseHeld(manager: EntityManager, syncSchema: string, claim: Claim): Promise<{ newerGeneration: boolean }> {
  const rows = (await manager.query(FENCE_SQL(contractSyncTable(syncSchema)), [claim.contractId])) as Array<{
    lease_owner: string | null;
    claim_token: string | number;
    generation: string | number;
    live: number | string;
  }>;
  const row = rows[0];
  if (row === undefined) throw new LeaseLostError(claim.contractId, 'sync row missing');
  if (row.lease_owner !== claim.owner || String(row.claim_token) !== claim.token) {
    throw new LeaseLostError(claim.contractId, 'claimed by another worker since');
  }
  if (Number(row.live) !== 1) throw new LeaseLostError(claim.contractId, 'lease expired');
  return { newerGeneration: String(row.generation) !== claim.generation };
}

/**
 * Releases after a successful reconcile, in the caller's (write-back) transaction, after
 * assertLeaseHeld; writes the contract's state with it when given.
 */
export async function releaseClaim(
  manager: EntityManager,
  syncSchema: string,
  claim: Claim,
  outcome: string,
  planJson: string | null,
  state?: ContractStateColumns,
): Promise<void> {
  const result = await manager.query(RELEASE_SQL(contractSyncTable(syncSchema), state !== undefined), releaseParams(claim, outcome, planJson, state));
  if (affectedRows(result) !== 1) throw new LeaseLostError(claim.contractId, 'release matched no row');
}

/**
 * Releases in one statement when the lease is live and the generation unchanged, writing the
 * contract's state with it when given. Outside a transaction it is the whole write-back of a
 * reconcile with nothing else to write; as the first statement of the write-back transaction it
 * is the fence: it locks the sync row until COMMIT, so no other worker can take the contract
 * over before the rest is written. False when it matched nothing: the caller takes the fenced
 * path (assertLeaseHeld), which says why (lease lost, or a newer generation to keep dirty).
 */
export async function releaseIfCurrent(
  db: Queryable,
  syncSchema: string,
  claim: Claim,
  outcome: string,
  planJson: string | null,
  state?: ContractStateColumns,
): Promise<boolean> {
  const result = await db.query(RELEASE_IF_CURRENT_SQL(contractSyncTable(syncSchema), state !== undefined), releaseParams(claim, outcome, planJson, state));
  return affectedRows(result) === 1;
}
