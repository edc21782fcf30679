import type { DataSource, EntityManager } from 'typeorm';
import { backoffDelayMs } from '../../lib/backoff';
import { q } from '../../migrations/schema-names';
import { contractSyncTable, isLockConflict } from './sql-helpers';

/**
 * The one scale of mark priorities (higher is more urgent; the claim query ages them with waiting
 * time so nothing starves). An operator's request beats a live change to a contract, which beats
 * a pending licence the platform changed, then fan-out from a plan, product or customer change,
 * then snapshot and replay work; the daily verify resync and the hourly retry of parked rows come
 * last. Only a mark above `snapshot` comes from a change to the source rows (consumers/mark-batch:
 * only such a mark un-parks).
 */
export const MARK_PRIORITY = {
  operator: 200,
  live: 100,
  pendingLicenceChanged: 60,
  fanOut: 50,
  snapshot: 10,
  replay: 5,
  verifyResync: -20,
  parkedRetry: -50,
} as const;

/** The IXC change behind a mark (the blast-radius guard's unit; see consumers/fan-out-plan). */
export interface MarkChange {
  /** `tx:<gtid>`, `row:<table>:<id>@<binlog position>` or `cli:<run>`. */
  key: string;
  table: string;
  row: string | null;
  rows: number;
  transaction: string | null;
}

/** A contract to mark dirty and the priority asked for it (higher is more urgent). */
export interface ContractMark {
  contractId: number;
  priority: number;
  /** When the change behind the mark happened in IXC (Debezium `source.ts_ms`), for end-to-end latency; null for snapshot reads. */
  sourceTsMs?: number | null;
  /** The change that asked for the mark; the sync row then points at it until another change marks it. */
  change?: MarkChange;
}

export interface MarkOptions {
  /** A mark from a source change un-parks the contract (DESIGN.md § Failures). @defaultValue true */
  unpark?: boolean;
  /** Ask the reconcile to diff against the platform instead of the recorded state. @defaultValue false */
  verify?: boolean;
  /** Retries of the whole statement on deadlock or lock wait timeout. @defaultValue 5 */
  maxLockRetries?: number;
}

const DEFAULT_MARK_OPTIONS = { unpark: true, verify: false, maxLockRetries: 5 } satisfies Required<MarkOptions>;
const ROWS_PER_STATEMENT = 2000;

/**
 * Upsert of N marks in one statement. Parameters: per row (contract_id, priority, verify,
 * source_ts_ms), then (unpark, unpark, unpark, unpark, unpark). ON DUPLICATE KEY UPDATE assigns
 * left to right, so `marked_at`, `priority` and `source_ts_ms` read the old `dirty` before it is
 * set: a dirty row keeps its first mark time, the higher priority and the oldest change time; a
 * clean one starts afresh. Un-parking resets attempts.
 */
const MARK_SQL = (table: string, rows: number) => `INSERT INTO ${table}
  (contract_id, generation, dirty, priority, marked_at, next_attempt_at, verify_requested, source_ts_ms, change_id)
VALUES ${Array.from({ length: rows }, () => '(?, 1, 1, ?, NOW(3), NOW(3), ?, ?, ?)').join(', ')}
ON DUPLICATE KEY UPDATE
  change_id = COALESCE(VALUES(change_id), change_id),
  marked_at = IF(dirty = 1 AND marked_at IS NOT NULL, marked_at, NOW(3)),
  source_ts_ms = IF(dirty = 1, LEAST(COALESCE(source_ts_ms, VALUES(source_ts_ms)), COALESCE(VALUES(source_ts_ms), source_ts_ms)), VALUES(source_ts_ms)),
  priority = IF(dirty = 1, GREATEST(priority, VALUES(priority)), VALUES(priority)),
  generation = generation + 1,
  dirty = 1,
  verify_requested = GREATEST(verify_requested, VALUES(verify_requested)),
  attempts = IF(? = 1 AND parked_reason IS NOT NULL, 0, attempts),
  next_attempt_at = IF(? = 1 AND parked_reason IS NOT NULL, NOW(3), next_attempt_at),
  parked_detail = IF(? = 1, NULL, parked_detail),
  parked_at = IF(? = 1, NULL, parked_at),
  parked_reason = IF(? = 1, NULL, parked_reason)`;

/**
 * A transaction's rows reach the consumer on several topics, so in several batches: the row that
 * fans out furthest names the change whichever batch came first (ORIGIN_RANK in consumers/fan-out-plan).
 */
const ORIGIN_RANK_SQL = (column: string): string => `FIELD(${column}, 'cliente_contrato', 'cliente', 'vd_contratos_produtos', 'produtos')`;

/**
 * Upsert of the changes behind a batch's marks: a change seen again (a transaction spread over
 * batches) is extended, and its last mark time tells the guard whether it may still grow.
 * Parameters: per change (key, table, row, rows, transaction).
 */
const CHANGE_SQL = (s: string, rows: number) => `INSERT INTO ${s}.\`source_change\` (change_key, origin_table, origin_row, origin_rows, transaction_id)
VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ')}
ON DUPLICATE KEY UPDATE origin_rows = origin_rows + VALUES(origin_rows), last_marked_at = NOW(3),
  origin_row = IF(${ORIGIN_RANK_SQL('VALUES(origin_table)')} > ${ORIGIN_RANK_SQL('origin_table')}, VALUES(origin_row), origin_row),
  origin_table = IF(${ORIGIN_RANK_SQL('VALUES(origin_table)')} > ${ORIGIN_RANK_SQL('origin_table')}, VALUES(origin_table), origin_table)`;
/** Parameters: (keys). */
const CHANGE_IDS_SQL = (s: string) => `SELECT id, change_key FROM ${s}.\`source_change\` WHERE change_key IN (?)`;

/** One mark per contract (the highest priority, the oldest change time and the last change asked), in key order so concurrent batches lock alike. */
export function normaliseMarks(marks: readonly ContractMark[]): ContractMark[] {
  const best = new Map<number, { priority: number; sourceTsMs: number | null; change?: MarkChange }>();
  for (const m of marks) {
    if (!Number.isSafeInteger(m.contractId) || m.contractId <= 0) continue;
    const ts = m.sourceTsMs ?? null;
    const seen = best.get(m.contractId);
    const change = m.change ?? seen?.change;
    best.set(m.contractId, {
      priority: Math.max(seen?.priority ?? m.priority, m.priority),
      sourceTsMs: seen === undefined || seen.sourceTsMs === null ? ts : ts === null ? seen.sourceTsMs : Math.min(seen.sourceTsMs, ts),
      ...(change === undefined ? {} : { change }),
    });
  }
  return [...best.entries()].sort(([a], [b]) => a - b).map(([contractId, v]) => ({ contractId, ...v }));
}

/**
 * Marks contracts dirty (DESIGN.md principle 2): generation + 1, the higher priority kept, in one
 * statement per batch at READ COMMITTED, retried as a whole on deadlock. Durable when it resolves,
 * so the consumer may resolve offsets afterwards. Returns how many contracts were marked.
 */
export async function markContracts(
  dataSource: DataSource,
  syncSchema: string,
  marks: readonly ContractMark[],
  options: MarkOptions = {},
): Promise<number> {
  const opts = { ...DEFAULT_MARK_OPTIONS, ...options };
  const rows = normaliseMarks(marks);
  if (rows.length === 0) return 0;
  const table = contractSyncTable(syncSchema);
  const unpark = opts.unpark ? 1 : 0;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await dataSource.transaction('READ COMMITTED', async (manager) => {
        const changeIds = await upsertChanges(manager, syncSchema, rows);
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
          const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
          const params = chunk.flatMap((m) => [m.contractId, m.priority, opts.verify ? 1 : 0, m.sourceTsMs ?? null, changeIds.get(m.change?.key ?? '') || null]);
          await manager.query(MARK_SQL(table, chunk.length), [...params, unpark, unpark, unpark, unpark, unpark]);
        }
      });
      return rows.length;
    } catch (err) {
      if (!isLockConflict(err) || attempt >= opts.maxLockRetries) throw err;
      await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt, { baseMs: 20, maxMs: 1000, jitter: 0.5 })));
    }
  }
}

/** Records the batch's changes (in key order, like the marks) and returns their ids by key. */
async function upsertChanges(manager: EntityManager, syncSchema: string, rows: readonly ContractMark[]): Promise<Map<string, string>> {
  const changes = new Map<string, MarkChange>();
  for (const m of rows) if (m.change !== undefined) changes.set(m.change.key, m.change);
  if (changes.size === 0) return new Map();
  const s = q(syncSchema);
  const list = [...changes.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  await manager.query(CHANGE_SQL(s, list.length), list.flatMap((c) => [c.key.slice(0, 191), c.table, c.row, c.rows, c.transaction]));
  const found = (await manager.query(CHANGE_IDS_SQL(s), [list.map((c) => c.key.slice(0, 191))])) as Array<{ id: string | number; change_key: string }>;
  const byKey = new Map(found.map((r) => [r.change_key, String(r.id)]));
  return new Map(list.map((c) => [c.key, byKey.get(c.key.slice(0, 191)) ?? '']));
}
