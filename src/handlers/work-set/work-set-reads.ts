import { contractSyncTable, type Queryable } from './sql-helpers';

/*
 * The work set read by the operator tools (`status --contract`, `reconcile`, `replay`, the demo):
 * read-only statements on contract_sync, never a lock or a write. The worker's own statements
 * (mark, claim, lease, failure) live beside this file, one family each.
 */

/** One contract's work-set row as `status --contract` explains it; ages in seconds by the database clock. */
export interface WorkSetRowRead {
  dirty: unknown;
  generation: unknown;
  priority: unknown;
  attempts: unknown;
  lease_owner: string | null;
  parked_reason: string | null;
  parked_detail: string | null;
  last_outcome: string | null;
  last_error: string | null;
  verify_requested: unknown;
  owner_change: string | null;
  marked_ago_s: unknown;
  next_in_s: unknown;
  reconciled_ago_s: unknown;
  error_ago_s: unknown;
}

// Parameters: (contract_id). Ages by the database clock.
const WORK_SET_ROW_SQL = (t: string): string => `SELECT dirty, generation, priority, attempts, lease_owner, parked_reason, parked_detail,
  last_outcome, last_error, verify_requested, owner_change,
  TIMESTAMPDIFF(MICROSECOND, marked_at, NOW(3)) / 1000000 AS marked_ago_s,
  TIMESTAMPDIFF(MICROSECOND, NOW(3), next_attempt_at) / 1000000 AS next_in_s,
  TIMESTAMPDIFF(MICROSECOND, last_reconciled_at, NOW(3)) / 1000000 AS reconciled_ago_s,
  TIMESTAMPDIFF(MICROSECOND, last_error_at, NOW(3)) / 1000000 AS error_ago_s
  FROM ${t} WHERE contract_id = ?`;

/** The contract's row, or undefined when the worker never marked it. */
export async function readWorkSetRow(db: Queryable, syncSchema: string, contractId: number): Promise<WorkSetRowRead | undefined> {
  const [row] = (await db.query(WORK_SET_ROW_SQL(contractSyncTable(syncSchema)), [contractId])) as WorkSetRowRead[];
  return row;
}

/** Where a contract's last reconcile left it: outcome, stored plan (JSON), park and error. */
export interface LastOutcomeRead {
  contract_id: number;
  dirty: number;
  last_outcome: string | null;
  last_plan: string | null;
  parked_reason: string | null;
  parked_detail: string | null;
  last_error: string | null;
}

// Parameters: (ids).
const LAST_OUTCOMES_SQL = (t: string): string => `SELECT contract_id, dirty, last_outcome, last_plan, parked_reason, parked_detail, last_error
  FROM ${t} WHERE contract_id IN (?) ORDER BY contract_id`;

/** The last outcomes of these contracts (non-empty), in contract order; a contract never marked has no row. */
export async function readLastOutcomes(db: Queryable, syncSchema: string, ids: readonly number[]): Promise<LastOutcomeRead[]> {
  return (await db.query(LAST_OUTCOMES_SQL(contractSyncTable(syncSchema)), [[...ids]])) as LastOutcomeRead[];
}

/** The demo's one-line view of a contract: outcome, park and the platform subscription's status. */
export interface ContractSummaryRead {
  contract_id: number;
  last_outcome: string | null;
  parked_reason: string | null;
  subscription_status: string | null;
}

// Parameters: (contract_id).
const CONTRACT_SUMMARY_SQL = (t: string): string => `SELECT contract_id, last_outcome, parked_reason, subscription_status FROM ${t} WHERE contract_id = ?`;

export async function readContractSummary(db: Queryable, syncSchema: string, contractId: number): Promise<ContractSummaryRead | undefined> {
  const [row] = (await db.query(CONTRACT_SUMMARY_SQL(contractSyncTable(syncSchema)), [contractId])) as ContractSummaryRead[];
  return row;
}

/**
 * Still waiting since the CLI marked them: dirty, not parked, and not failed after the mark (a
 * failure is reported; the worker keeps retrying). Parameters: (ids, since).
 */
const UNSETTLED_SQL = (t: string): string => `SELECT COUNT(*) AS n FROM ${t}
 WHERE contract_id IN (?) AND dirty = 1 AND parked_reason IS NULL AND (last_error_at IS NULL OR last_error_at < ?)`;

export async function countUnsettled(db: Queryable, syncSchema: string, ids: readonly number[], since: Date): Promise<number> {
  const [row] = (await db.query(UNSETTLED_SQL(contractSyncTable(syncSchema)), [[...ids], since])) as Array<{ n: number | string }>;
  return Number(row?.n ?? 0);
}

// Reconciled after `since` with nothing pending. Parameters: (ids, since).
const RECONCILED_SINCE_SQL = (t: string): string =>
  `SELECT COUNT(*) AS n FROM ${t} WHERE contract_id IN (?) AND dirty = 0 AND last_reconciled_at >= ?`;

export async function countReconciledSince(db: Queryable, syncSchema: string, ids: readonly number[], since: Date): Promise<number> {
  const [row] = (await db.query(RECONCILED_SINCE_SQL(contractSyncTable(syncSchema)), [[...ids], since])) as Array<{ n: number | string }>;
  return Number(row?.n);
}

/** Every contract IXC has, plus those only the sync state remembers (deleted rows). No parameters. */
const ALL_CONTRACT_IDS_SQL = (t: string): string => `SELECT id AS contract_id FROM cliente_contrato
 UNION SELECT contract_id FROM ${t} ORDER BY 1`;

export async function listAllContractIds(db: Queryable, syncSchema: string): Promise<number[]> {
  return contractIds(await db.query(ALL_CONTRACT_IDS_SQL(contractSyncTable(syncSchema))));
}

/** Parked contracts; those awaiting confirmation only when asked. Parameters: (includeAwaiting). */
const PARKED_IDS_SQL = (t: string): string => `SELECT contract_id FROM ${t}
 WHERE parked_reason IS NOT NULL AND (? = 1 OR parked_reason <> 'awaiting_confirmation') ORDER BY 1`;

export async function listParkedContractIds(db: Queryable, syncSchema: string, includeAwaitingConfirmation: boolean): Promise<number[]> {
  return contractIds(await db.query(PARKED_IDS_SQL(contractSyncTable(syncSchema)), [includeAwaitingConfirmation ? 1 : 0]));
}

/** Contracts held by the blast-radius guard. No parameters. */
const AWAITING_CONFIRMATION_IDS_SQL = (t: string): string =>
  `SELECT contract_id FROM ${t} WHERE parked_reason = 'awaiting_confirmation' ORDER BY 1`;

export async function listAwaitingConfirmation(db: Queryable, syncSchema: string): Promise<number[]> {
  return contractIds(await db.query(AWAITING_CONFIRMATION_IDS_SQL(contractSyncTable(syncSchema))));
}

function contractIds(rows: unknown): number[] {
  return (rows as Array<{ contract_id: number }>).map((r) => Number(r.contract_id));
}
