import { contractSyncTable, sqlErrno } from '../handlers/work-set/sql-helpers';
import { MARK_PRIORITY, type ContractMark, type MarkOptions } from '../handlers/work-set/work-set-mark';
import { coerceError } from '../lib/coerce-error';
import type { ConsumedRecord, DecodedRecord, RawRecord } from './decode-change-event';
import { toDeadLetter, type DeadLetterMessage } from './dead-letter';
import { addToFanOutPlan, demoteBulkChanges, emptyFanOutPlan, isEmptyFanOutPlan, sourceKey, type FanOutPlan, type FanOutSource, type SkipReason } from './fan-out-plan';

/** Runs a read-only query returning rows; the caller decides the connection and isolation level. */
export type Query = (sql: string, parameters: unknown[]) => Promise<unknown>;

/** The work set's mark (`WorkSet.mark`): durable when it resolves. markBatch decides the options. */
export type MarkContracts = (marks: ContractMark[], options: MarkOptions) => Promise<unknown>;

export interface MarkBatchDeps {
  /** Read-only queries for fan-out, at READ COMMITTED. */
  query: Query;
  /** The work set's mark; markBatch applies the marking rules (markWrites) before calling it. */
  mark: MarkContracts;
  /** Produces dead letters; must be durable (acks from all in-sync replicas) when it resolves. */
  deadLetter(messages: DeadLetterMessage[]): Promise<void>;
  /** Wakes the local reconcile slots. */
  nudge(): void;
  /**
   * When set, only contracts that have or had IoT lines are marked (iotRelevantContracts below);
   * the work set in this schema tells which had. The worker sets it; replay and redrive do not.
   */
  iotOnly?: { syncSchema: string };
  /** Set by a replay: the contracts it marked so far (see markWrites); markBatch adds to it. */
  replayed?: Set<number>;
}

export interface MarkBatchResult {
  records: number;
  marked: number;
  /** Affected contracts left unmarked because they have no IoT line and never had one (with `iotOnly`). */
  withoutIot: number;
  deadLettered: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** Oldest `source.ts_ms` among relevant changes (end-to-end latency starts there). */
  oldestSourceTsMs: number | null;
  /** Newest heartbeat time seen, for connector liveness. */
  heartbeatTsMs: number | null;
}

/**
 * MariaDB errors that say a value does not fit its column (out of range, truncated, wrong value,
 * too long, NULL in a NOT NULL column): the record is at fault, not the database, so retrying
 * the batch can never succeed.
 */
const UNFIT_VALUE_ERRNOS: ReadonlySet<number> = new Set([1048, 1264, 1265, 1292, 1366, 1406]);

function isUnfitValueError(err: unknown): boolean {
  const errno = sqlErrno(err);
  return errno !== undefined && UNFIT_VALUE_ERRNOS.has(errno);
}

/**
 * Turns one batch of Kafka records into durable marks. The whole batch's affected contracts are
 * marked together, one work-set call per marking rule (markWrites); undecodable records, and records whose values do not fit the work set,
 * go to the dead-letter topic, so no record can block its partition. When the batch statement
 * fails on a value that does not fit (a check at decode time missed it), the batch is marked
 * record by record and only the failing records are dead-lettered. Any other failure (database
 * down, deadlock) is thrown: the batch is fetched again. Only when this resolves may the caller
 * resolve the batch's offsets: offsets never run ahead of marks.
 */
export async function markBatch(records: readonly ConsumedRecord[], deps: MarkBatchDeps): Promise<MarkBatchResult> {
  const plan = emptyFanOutPlan();
  const deadLetters: DeadLetterMessage[] = [];
  const decoded: Array<{ raw: RawRecord; record: DecodedRecord }> = [];
  let heartbeatTsMs: number | null = null;
  for (const consumed of records) {
    if (!consumed.ok) {
      deadLetters.push(toDeadLetter(consumed.raw, consumed.error));
      continue;
    }
    const record = consumed.record;
    if (record.kind === 'heartbeat' && record.tsMs !== null) heartbeatTsMs = Math.max(heartbeatTsMs ?? 0, record.tsMs);
    addToFanOutPlan(plan, record);
    decoded.push({ raw: consumed.raw, record });
  }
  demoteBulkChanges(plan);

  if (deadLetters.length > 0) await deps.deadLetter(deadLetters);

  let marked: number;
  let withoutIot: number;
  const unfit: DeadLetterMessage[] = [];
  try {
    ({ marked, withoutIot } = await markPlan(plan, deps));
  } catch (thrown) {
    if (!isUnfitValueError(thrown)) throw thrown;
    marked = 0;
    withoutIot = 0;
    for (const one of decoded) {
      const single = emptyFanOutPlan();
      addToFanOutPlan(single, one.record);
      try {
        const counts = await markPlan(single, deps);
        marked += counts.marked;
        withoutIot += counts.withoutIot;
      } catch (failed) {
        if (!isUnfitValueError(failed)) throw failed;
        const err = coerceError(failed);
        unfit.push(toDeadLetter(one.raw, { name: 'UnfitRecordError', reason: `the record's marks do not fit the work set: ${err.message}` }));
      }
    }
  }
  if (unfit.length > 0) await deps.deadLetter(unfit);
  if (marked > 0) deps.nudge();
  return {
    records: records.length,
    marked,
    withoutIot,
    deadLettered: deadLetters.length + unfit.length,
    skipped: Object.fromEntries(plan.skipped),
    oldestSourceTsMs: plan.oldestSourceTsMs,
    heartbeatTsMs,
  };
}

/** Resolves a plan's contracts and marks them (with `iotOnly`, those that have or had IoT); returns how many, and how many were left out. */
async function markPlan(plan: FanOutPlan, deps: MarkBatchDeps): Promise<{ marked: number; withoutIot: number }> {
  if (isEmptyFanOutPlan(plan)) return { marked: 0, withoutIot: 0 };
  let resolved = await resolveFanOut(deps.query, plan);
  let withoutIot = 0;
  if (deps.iotOnly && resolved.length > 0) {
    const relevant = await iotRelevantContracts(deps.query, deps.iotOnly.syncSchema, resolved.map((m) => m.contractId));
    withoutIot = resolved.length - relevant.size;
    resolved = resolved.filter((m) => relevant.has(m.contractId));
  }
  // One time per batch (its oldest change): an upper bound of each mark's own, within one fetch.
  const marks = resolved.map((m) => ({ ...m, sourceTsMs: m.priority > MARK_PRIORITY.snapshot ? plan.oldestChangeTsMs : null }));
  for (const write of markWrites(marks, deps.replayed)) {
    await deps.mark(write.marks, write.options);
    if (deps.replayed) for (const m of write.marks) deps.replayed.add(m.contractId);
  }
  return { marked: marks.length, withoutIot };
}

/** One call of the work set's mark. */
export interface MarkWrite {
  marks: ContractMark[];
  options: MarkOptions;
}

/**
 * The marking rules, for every caller (the worker, `replay`, `dlq redrive`):
 * - only a change to the source rows un-parks a contract (DESIGN.md § Failures); a snapshot read
 *   (priority `snapshot` or below) is not one and leaves a parked contract parked;
 * - a replay marks each contract once per replay, at replay priority, for a verify reconcile (it
 *   diffs against the platform, so drift made behind the worker's back is found), and un-parks
 *   nothing (parked contracts are retried hourly or by `reconcile --failed`). Once: the verify
 *   reconcile reads IXC and the platform as they are when it runs, so a later record of the same
 *   contract adds only a redundant reconcile, and that second, empty plan would hide what the
 *   first one did from the summary.
 */
export function markWrites(marks: readonly ContractMark[], replayed?: ReadonlySet<number>): MarkWrite[] {
  if (replayed !== undefined) {
    const fresh = marks.filter((m) => !replayed.has(m.contractId)).map((m) => ({ contractId: m.contractId, priority: MARK_PRIORITY.replay }));
    return fresh.length === 0 ? [] : [{ marks: fresh, options: { unpark: false, verify: true } }];
  }
  const changed = marks.filter((m) => m.priority > MARK_PRIORITY.snapshot);
  const readOnly = marks.filter((m) => m.priority <= MARK_PRIORITY.snapshot);
  const writes: MarkWrite[] = [];
  if (changed.length > 0) writes.push({ marks: changed, options: { unpark: true } });
  if (readOnly.length > 0) writes.push({ marks: readOnly, options: { unpark: false } });
  return writes;
}

const IN_CHUNK = 1000;

// Contracts whose plan is one of ? (plan-line changes reach every contract of the plan).
const CONTRACTS_OF_PLANS = 'SELECT id, id_vd_contrato AS ref FROM cliente_contrato WHERE id_vd_contrato IN (?)';
// Contracts holding one of the products ? on their own lines.
const CONTRACTS_WITH_PRODUCT_OWN_LINES =
  'SELECT DISTINCT id_contrato AS id, id_produto AS ref FROM vd_contratos_produtos WHERE id_produto IN (?) AND id_contrato > 0';
// Contracts holding one of the products ? through their plan's lines (id_contrato 0 or NULL).
const CONTRACTS_WITH_PRODUCT_PLAN_LINES = `SELECT DISTINCT c.id AS id, l.id_produto AS ref
  FROM vd_contratos_produtos l JOIN cliente_contrato c ON c.id_vd_contrato = l.id_vd_contrato
 WHERE l.id_produto IN (?) AND (l.id_contrato IS NULL OR l.id_contrato = 0) AND l.id_vd_contrato > 0`;
// Contracts of the customers ?.
const CONTRACTS_OF_CUSTOMERS = 'SELECT id, id_cliente AS ref FROM cliente_contrato WHERE id_cliente IN (?)';
// Contracts whose licences covered one of the deleted lines ? (tombstones carry only the key).
const CONTRACTS_OF_DELETED_LINES = `SELECT DISTINCT li.id_contrato AS id, lp.id_vd_contrato_produto AS ref
  FROM licencas_produtos_iot lp JOIN licencas_iot li ON li.id = lp.id_licenca_iot
 WHERE lp.id_vd_contrato_produto IN (?)`;

/**
 * Turns a fan-out plan into contract marks, in contract-id order (the marking statement takes
 * row locks in key order, which keeps concurrent batches from deadlocking). Plain SELECTs: run at
 * READ COMMITTED they take no locks on IXC rows.
 */
export async function resolveFanOut(query: Query, plan: FanOutPlan): Promise<ContractMark[]> {
  const marks = new Map(plan.contracts);
  // The change behind each contract's mark (the blast-radius guard's unit); a fan-out row's change wins over a direct row's.
  const changes = new Map<number, string>();
  for (const id of plan.contracts.keys()) {
    const key = plan.changeOf.get(sourceKey('contract', id));
    if (key !== undefined) changes.set(id, key);
  }
  const expand = async (sql: string, sources: Map<number, number>, source: FanOutSource | null): Promise<void> => {
    const ids = [...sources.keys()];
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const rows = (await query(sql, [ids.slice(i, i + IN_CHUNK)])) as Array<{ id: number | string; ref: number | string }>;
      for (const row of rows) {
        const id = Number(row.id);
        const priority = sources.get(Number(row.ref)) ?? 0;
        if (id <= 0) continue;
        marks.set(id, Math.max(marks.get(id) ?? priority, priority));
        const key = source === null ? undefined : plan.changeOf.get(sourceKey(source, Number(row.ref)));
        if (key !== undefined) changes.set(id, key);
      }
    }
  };
  await expand(CONTRACTS_OF_PLANS, plan.plans, 'plan');
  await expand(CONTRACTS_WITH_PRODUCT_OWN_LINES, plan.products, 'product');
  await expand(CONTRACTS_WITH_PRODUCT_PLAN_LINES, plan.products, 'product');
  await expand(CONTRACTS_OF_CUSTOMERS, plan.customers, 'customer');
  await expand(CONTRACTS_OF_DELETED_LINES, plan.deletedLines, null);
  return [...marks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([contractId, priority]) => {
      const change = plan.changes.get(changes.get(contractId) ?? '');
      return change === undefined ? { contractId, priority } : { contractId, priority, change };
    });
}

/**
 * The contracts among ? that have an IoT line now or had IoT before; one statement, four index
 * lookups. Parameters: (ids, ids, ids, ids).
 * - an own line (`id_contrato`) or a line of the contract's plan (`id_contrato` 0/NULL) whose
 *   product is linked to a platform product (any integration, active or not: a superset of what
 *   effectiveIotLines keeps, so nothing the reconcile would provision is dropped);
 * - a row in IXC's `licencas_iot` (something was provisioned, even if the sync schema was lost);
 * - a work-set row that is pending, leased or parked, or that recorded an intent or a subscription
 *   (the same "provisioned" the daily verify resync uses): whatever was provisioned is still
 *   cancelled or suspended when its lines or its status go.
 * A contract whose product is linked later is found then: the catalogue fan-out reads the lines,
 * not this filter, and the link is committed before its event is consumed.
 */
const IOT_RELEVANT_SQL = (syncTable: string) => `SELECT l.id_contrato AS id
  FROM vd_contratos_produtos l JOIN produtos p ON p.id = l.id_produto
 WHERE l.id_contrato IN (?) AND p.id_produto_iot IS NOT NULL AND p.id_produto_iot <> ''
UNION
SELECT c.id
  FROM cliente_contrato c
  JOIN vd_contratos_produtos l ON l.id_vd_contrato = c.id_vd_contrato AND (l.id_contrato = 0 OR l.id_contrato IS NULL)
  JOIN produtos p ON p.id = l.id_produto
 WHERE c.id IN (?) AND c.id_vd_contrato > 0 AND p.id_produto_iot IS NOT NULL AND p.id_produto_iot <> ''
UNION
SELECT id_contrato FROM licencas_iot WHERE id_contrato IN (?)
UNION
SELECT contract_id FROM ${syncTable}
 WHERE contract_id IN (?)
   AND (dirty = 1 OR lease_owner IS NOT NULL OR parked_reason IS NOT NULL OR subscription_ref IS NOT NULL OR intent IS NOT NULL)`;

/**
 * Which of `contractIds` have or had IoT lines (see IOT_RELEVANT_SQL). A change to any other
 * contract needs no reconcile and no API call: at 10 % IoT contracts this keeps a snapshot or a
 * billing run from costing ten reconciles per useful one. Read-only, at the caller's isolation.
 */
async function iotRelevantContracts(query: Query, syncSchema: string, contractIds: readonly number[]): Promise<Set<number>> {
  const relevant = new Set<number>();
  const sql = IOT_RELEVANT_SQL(contractSyncTable(syncSchema));
  for (let i = 0; i < contractIds.length; i += IN_CHUNK) {
    const chunk = contractIds.slice(i, i + IN_CHUNK);
    const rows = (await query(sql, [chunk, chunk, chunk, chunk])) as Array<{ id: number | string }>;
    for (const row of rows) relevant.add(Number(row.id));
  }
  return relevant;
}
