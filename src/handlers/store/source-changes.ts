import { q } from '../../migrations/schema-names';
import { affectedRows, type Queryable } from '../work-set/sql-helpers';

/** One IXC change as recorded by the marks (table `source_change`). */
export interface SourceChange {
  id: string;
  key: string;
  originTable: string;
  originRow: string | null;
  originRows: number;
  transactionId: string | null;
  status: 'open' | 'held' | 'confirmed';
  destructive: number;
  applied: number;
  sample: number[];
  /** Milliseconds since the last mark carrying this change, by the database clock. */
  quietMs: number;
  heldAt: Date | null;
  /** Contracts whose sync row points at this change. */
  contracts: number;
}

const COLUMNS = (s: string) => `c.id, c.change_key, c.origin_table, c.origin_row, c.origin_rows, c.transaction_id, c.status, c.destructive, c.applied,
       c.sample, TIMESTAMPDIFF(MICROSECOND, c.last_marked_at, NOW(3)) DIV 1000 AS quiet_ms, c.held_at,
       (SELECT COUNT(*) FROM ${s}.\`contract_sync\` cs WHERE cs.change_id = c.id) AS contracts`;
/** Parameters: (contractId). */
const CHANGE_OF_CONTRACT_SQL = (s: string) => `SELECT ${COLUMNS(s)} FROM ${s}.\`source_change\` c
  JOIN ${s}.\`contract_sync\` x ON x.change_id = c.id WHERE x.contract_id = ?`;
/** Parameters: (id). */
const CHANGE_SQL = (s: string) => `SELECT ${COLUMNS(s)} FROM ${s}.\`source_change\` c WHERE c.id = ?`;
/** No parameters. */
/** Held changes that still hold a contract (one undone by a later change holds nothing). No parameters. */
const HELD_SQL = (s: string) => `SELECT ${COLUMNS(s)} FROM ${s}.\`source_change\` c WHERE c.status = 'held'
   AND (c.origin_table = 'platform orphans'
        OR EXISTS (SELECT 1 FROM ${s}.\`contract_sync\` p WHERE p.change_id = c.id AND p.parked_reason = 'awaiting_confirmation')) ORDER BY c.id`;
/** Parameters: (changeId). */
const CONTRACTS_SQL = (s: string) => `SELECT contract_id FROM ${s}.\`contract_sync\` WHERE change_id = ? ORDER BY contract_id`;
/** Only an open change becomes held. Parameters: (destructive, sample, id). */
const HOLD_SQL = (s: string) => `UPDATE ${s}.\`source_change\` SET status = 'held', destructive = ?, sample = ?, held_at = NOW(3)
 WHERE id = ? AND status = 'open'`;
/** Parameters: (n, id). */
const APPLIED_SQL = (s: string) => `UPDATE ${s}.\`source_change\` SET applied = applied + ? WHERE id = ?`;
/** Parameters: (id). */
const CONFIRM_SQL = (s: string) => `UPDATE ${s}.\`source_change\` SET status = 'confirmed', confirmed_at = NOW(3) WHERE id = ? AND status <> 'confirmed'`;
/** No parameters. */
const CONFIRM_ALL_SQL = (s: string) => `UPDATE ${s}.\`source_change\` SET status = 'confirmed', confirmed_at = NOW(3) WHERE status = 'held'`;
/** Contracts of a change waiting for the operator. Parameters: (changeId). */
const PARKED_OF_CHANGE_SQL = (s: string) => `SELECT contract_id FROM ${s}.\`contract_sync\`
 WHERE change_id = ? AND parked_reason = 'awaiting_confirmation' ORDER BY contract_id`;

interface ChangeRow {
  id: string | number;
  change_key: string;
  origin_table: string;
  origin_row: string | null;
  origin_rows: number | string;
  transaction_id: string | null;
  status: string;
  destructive: number | string;
  applied: number | string;
  sample: string | null;
  quiet_ms: number | string | null;
  held_at: Date | null;
  contracts: number | string;
}

function parseSample(text: string | null): number[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map(Number).filter(Number.isSafeInteger) : [];
  } catch {
    return [];
  }
}

function toChange(r: ChangeRow): SourceChange {
  const status = r.status === 'held' || r.status === 'confirmed' ? r.status : 'open';
  return {
    id: String(r.id),
    key: r.change_key,
    originTable: r.origin_table,
    originRow: r.origin_row,
    originRows: Number(r.origin_rows),
    transactionId: r.transaction_id,
    status,
    destructive: Number(r.destructive),
    applied: Number(r.applied),
    sample: parseSample(r.sample),
    quietMs: Number(r.quiet_ms ?? 0),
    heldAt: r.held_at,
    contracts: Number(r.contracts),
  };
}

/** The change that last marked this contract, if any. */
export async function changeOfContract(db: Queryable, syncSchema: string, contractId: number): Promise<SourceChange | null> {
  const rows = (await db.query(CHANGE_OF_CONTRACT_SQL(q(syncSchema)), [contractId])) as ChangeRow[];
  return rows[0] ? toChange(rows[0]) : null;
}

export async function findChange(db: Queryable, syncSchema: string, id: string): Promise<SourceChange | null> {
  const rows = (await db.query(CHANGE_SQL(q(syncSchema)), [id])) as ChangeRow[];
  return rows[0] ? toChange(rows[0]) : null;
}

/** Changes waiting for an operator, oldest first. */
export async function heldChanges(db: Queryable, syncSchema: string): Promise<SourceChange[]> {
  return ((await db.query(HELD_SQL(q(syncSchema)))) as ChangeRow[]).map(toChange);
}

export async function contractsOfChange(db: Queryable, syncSchema: string, changeId: string): Promise<number[]> {
  return ((await db.query(CONTRACTS_SQL(q(syncSchema)), [changeId])) as Array<{ contract_id: number }>).map((r) => Number(r.contract_id));
}

export async function parkedContractsOfChange(db: Queryable, syncSchema: string, changeId: string): Promise<number[]> {
  return ((await db.query(PARKED_OF_CHANGE_SQL(q(syncSchema)), [changeId])) as Array<{ contract_id: number }>).map((r) => Number(r.contract_id));
}

export async function holdChange(db: Queryable, syncSchema: string, changeId: string, destructive: number, sample: readonly number[]): Promise<boolean> {
  return affectedRows(await db.query(HOLD_SQL(q(syncSchema)), [destructive, JSON.stringify(sample), changeId])) > 0;
}

export async function addAppliedToChange(db: Queryable, syncSchema: string, changeId: string, n: number): Promise<void> {
  if (n > 0) await db.query(APPLIED_SQL(q(syncSchema)), [n, changeId]);
}

/** Confirms one change, or every held one with `'all'`; returns how many changed state. */
export async function confirmChange(db: Queryable, syncSchema: string, changeId: string | 'all'): Promise<number> {
  const s = q(syncSchema);
  return affectedRows(changeId === 'all' ? await db.query(CONFIRM_ALL_SQL(s)) : await db.query(CONFIRM_SQL(s), [changeId]));
}
