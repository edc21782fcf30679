import { MARK_PRIORITY, type MarkChange } from '../handlers/work-set/work-set-mark';
import type { ChangeEvent, DecodedRecord, Row } from './decode-change-event';

/*
 * The connector emits only `id` and these columns (column.include.list in
 * docker/connector/ixc-mariadb-cdc.json.tmpl; test/unit/stack/connector-template.test.ts keeps the two
 * equal): IXC's rows are 30-120 columns wide, and converting, storing and parsing the rest made the
 * initial snapshot four times slower and put customer data in Kafka that nothing reads.
 */

/** Columns of `cliente` that reach the platform; a change elsewhere in the row marks nothing. */
export const CUSTOMER_PLATFORM_COLUMNS = [
  'razao', 'fantasia', 'cnpj_cpf', 'tipo_pessoa', 'email', 'telefone_celular', 'whatsapp', 'fone',
  'endereco', 'numero', 'bairro', 'complemento', 'cep',
] as const;
/** Columns of `cliente_contrato` that decide the desired state or the effective lines. */
export const CONTRACT_STATE_COLUMNS = ['status', 'status_internet', 'id_cliente', 'id_vd_contrato', 'tipo_produtos_plano'] as const;
/** Columns of `vd_contratos_produtos` that decide licences. */
export const LINE_COLUMNS = ['id_contrato', 'id_vd_contrato', 'id_produto', 'qtde', 'id_contrato_produto_plano'] as const;
/** Columns of `produtos` that make a product an IoT product of this deployment. */
export const PRODUCT_LINK_COLUMNS = ['id_produto_iot', 'id_integracao_iot', 'ativo'] as const;

export type SkipReason =
  | 'heartbeat'
  | 'schema-change'
  | 'truncate'
  | 'unexpected-table'
  | 'irrelevant-columns'
  | 'snapshot-of-non-contract-table'
  | 'tombstone-without-id';

/**
 * What a batch of records asks to be marked, before ids are resolved against the database:
 * direct contract ids, plus plans, products, customers and deleted lines whose contracts must be
 * looked up. Each carries the highest priority asked for it.
 */
export interface FanOutPlan {
  contracts: Map<number, number>;
  plans: Map<number, number>;
  products: Map<number, number>;
  customers: Map<number, number>;
  /** Deleted `vd_contratos_produtos` ids known only by key (tombstones): resolved through licencas_produtos_iot. */
  deletedLines: Map<number, number>;
  skipped: Map<SkipReason, number>;
  /** Oldest `source.ts_ms` among the relevant changes, for end-to-end latency. */
  oldestSourceTsMs: number | null;
  /** The same among changes only (snapshot reads are not changes someone waits for). */
  oldestChangeTsMs: number | null;
  /** The IXC changes (transactions, or fan-out rows) behind the marks, by key. */
  changes: Map<string, MarkChange>;
  /** Which change asked for each source: `contract:<id>`, `plan:<id>`, `product:<id>`, `customer:<id>` → change key. */
  changeOf: Map<string, string>;
}

/** The key of `changeOf` for one source of marks. */
export type FanOutSource = 'contract' | 'plan' | 'product' | 'customer';
export const sourceKey = (source: FanOutSource, id: number): string => `${source}:${id}`;

export function emptyFanOutPlan(): FanOutPlan {
  return {
    contracts: new Map(),
    plans: new Map(),
    products: new Map(),
    customers: new Map(),
    deletedLines: new Map(),
    skipped: new Map(),
    oldestSourceTsMs: null,
    oldestChangeTsMs: null,
    changes: new Map(),
    changeOf: new Map(),
  };
}

/** True when the plan resolves to no marks at all. */
export function isEmptyFanOutPlan(plan: FanOutPlan): boolean {
  return plan.contracts.size + plan.plans.size + plan.products.size + plan.customers.size + plan.deletedLines.size === 0;
}

/**
 * Adds one decoded record to the plan, per DESIGN.md § Decisions "Fan-out, narrowly". Pure: it
 * reads only the record. Events trigger, state decides: the payload only says which contracts
 * are affected.
 */
export function addToFanOutPlan(plan: FanOutPlan, record: DecodedRecord): void {
  switch (record.kind) {
    case 'heartbeat':
    case 'schema-change':
    case 'truncate':
      skip(plan, record.kind);
      return;
    case 'tombstone':
      addTombstone(plan, record.table, record.key);
      return;
    case 'change':
      addChange(plan, record);
  }
}

function addTombstone(plan: FanOutPlan, table: string, key: Row): void {
  const id = refField(key, 'id');
  if (table === 'cliente_contrato' || table === 'vd_contratos_produtos') {
    if (id === null) return skip(plan, 'tombstone-without-id');
    bump(table === 'cliente_contrato' ? plan.contracts : plan.deletedLines, id, MARK_PRIORITY.live);
    return;
  }
  // A product or customer tombstone follows its delete event, which already fanned out.
  skip(plan, table === 'produtos' || table === 'cliente' ? 'irrelevant-columns' : 'unexpected-table');
}

function addChange(plan: FanOutPlan, event: ChangeEvent): void {
  const { table, op, before, after } = event;
  const isSnapshot = op === 'r';
  if (isSnapshot && table !== 'cliente_contrato') {
    return skip(plan, table === 'cliente' || table === 'produtos' || table === 'vd_contratos_produtos' ? 'snapshot-of-non-contract-table' : 'unexpected-table');
  }
  const relevant = (columns: readonly string[]): boolean => op !== 'u' || before === null || columns.some((c) => !sameValue(before[c], after?.[c]));

  let marked = false;
  const rowId = refField(after, 'id') ?? refField(before, 'id') ?? refField(event.key, 'id');
  // The change this record belongs to, attached to every source it marks (the guard's unit).
  const attach = (source: FanOutSource, id: number, fansOut: boolean): void => {
    const origin = changeOriginOf(event, rowId, fansOut);
    if (origin !== null) plan.changeOf.set(sourceKey(source, id), addChangeOrigin(plan.changes, origin));
  };
  switch (table) {
    case 'cliente_contrato': {
      if (!relevant(CONTRACT_STATE_COLUMNS)) break;
      const id = rowId;
      if (id !== null) {
        marked = bump(plan.contracts, id, isSnapshot ? MARK_PRIORITY.snapshot : MARK_PRIORITY.live);
        attach('contract', id, false);
      }
      break;
    }
    case 'vd_contratos_produtos': {
      if (!relevant(LINE_COLUMNS)) break;
      for (const row of [before, after]) {
        const contract = refField(row, 'id_contrato');
        const planId = refField(row, 'id_vd_contrato');
        if (contract !== null) {
          marked = bump(plan.contracts, contract, MARK_PRIORITY.live) || marked;
          attach('contract', contract, false);
        } else if (planId !== null) {
          marked = bump(plan.plans, planId, MARK_PRIORITY.fanOut) || marked;
          attach('plan', planId, true);
        }
      }
      break;
    }
    case 'produtos': {
      const linked = [before, after].some((row) => textField(row, 'id_produto_iot') !== null);
      if (!linked || !relevant(PRODUCT_LINK_COLUMNS)) break;
      const id = refField(after, 'id') ?? refField(before, 'id');
      if (id !== null) {
        marked = bump(plan.products, id, MARK_PRIORITY.fanOut);
        attach('product', id, true);
      }
      break;
    }
    case 'cliente': {
      if (!relevant(CUSTOMER_PLATFORM_COLUMNS)) break;
      const id = refField(after, 'id') ?? refField(before, 'id');
      if (id !== null) {
        marked = bump(plan.customers, id, MARK_PRIORITY.fanOut);
        attach('customer', id, true);
      }
      break;
    }
    default:
      return skip(plan, 'unexpected-table');
  }
  if (!marked) return skip(plan, 'irrelevant-columns');
  const ts = event.source.tsMs;
  if (ts !== null && (plan.oldestSourceTsMs === null || ts < plan.oldestSourceTsMs)) plan.oldestSourceTsMs = ts;
  if (ts !== null && event.op !== 'r' && (plan.oldestChangeTsMs === null || ts < plan.oldestChangeTsMs)) plan.oldestChangeTsMs = ts;
}

/**
 * Rows of one transaction in a batch from which its direct contract marks count as a bulk change
 * (a billing run, a mass status update) rather than someone's change to one contract.
 */
export const BULK_CHANGE_ROWS = 50;

/**
 * Marks the contracts of a bulk change at fan-out priority, like any other change that reaches
 * many contracts, so a billing run of thousands of contracts does not queue the single changes
 * committed beside it behind its own (the live bench's p99 during a billing run was the time to
 * reconcile the whole run). Aging still brings the bulk work forward; nothing is skipped. Call it
 * once the batch's records are all added: a transaction's size is known only then.
 */
export function demoteBulkChanges(plan: FanOutPlan): void {
  for (const [id, priority] of plan.contracts) {
    if (priority <= MARK_PRIORITY.fanOut) continue;
    const change = plan.changes.get(plan.changeOf.get(sourceKey('contract', id)) ?? '');
    if (change !== undefined && change.rows >= BULK_CHANGE_ROWS) plan.contracts.set(id, MARK_PRIORITY.fanOut);
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (a !== null && b !== null && typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b));
}

function bump(map: Map<number, number>, id: number, priority: number): true {
  map.set(id, Math.max(map.get(id) ?? priority, priority));
  return true;
}

function skip(plan: FanOutPlan, reason: SkipReason): void {
  plan.skipped.set(reason, (plan.skipped.get(reason) ?? 0) + 1);
}

/*
 * The change behind a mark (its origin): one IXC change as the blast-radius guard counts it
 * (DESIGN.md § Decisions, Blast-radius guard): the committed transaction when the record names
 * it, else the one row that fanned out.
 *
 * Why the transaction id, and from `source.gtid`: MariaDB gives every transaction a GTID and
 * Debezium copies it into the `source` block of every row it emits, so a billing run's UPDATE of
 * 500 contracts and a product unlinked in the catalogue are each one key without enabling
 * `provide.transaction.metadata` (whose `transaction.id` for MariaDB is this same GTID, at the cost
 * of another topic). The fan-out alone would miss the billing run (500 direct contract rows);
 * the transaction alone covers the unlink too (one `produtos` row, one transaction). Without a
 * GTID (a MySQL source without GTID mode) a fan-out row is its own change, keyed by its binlog
 * position; a direct contract row then stands alone and the guard applies per contract.
 */

/** Which of a transaction's rows names it: the one whose fan-out reaches furthest. */
const ORIGIN_RANK: Readonly<Record<string, number>> = { produtos: 4, vd_contratos_produtos: 3, cliente: 2, cliente_contrato: 1 };

/** The change a streamed record belongs to; null for snapshot reads (nothing changed) and rows without a position. */
function changeOriginOf(event: ChangeEvent, rowId: number | null, fansOut: boolean): MarkChange | null {
  if (event.op === 'r') return null;
  const row = rowId === null ? null : String(rowId);
  const { gtid, file, pos } = event.source;
  if (gtid) return { key: `tx:${gtid}`, table: event.table, row, rows: 1, transaction: gtid };
  if (!fansOut || file === null || pos === null) return null;
  return { key: `row:${event.table}:${row ?? '?'}@${file}:${pos}:${event.source.row ?? 0}`, table: event.table, row, rows: 1, transaction: null };
}

/** Adds one record's origin to the batch's changes; returns the key to attach to what it marks. */
function addChangeOrigin(changes: Map<string, MarkChange>, origin: MarkChange): string {
  const seen = changes.get(origin.key);
  if (seen === undefined) {
    changes.set(origin.key, { ...origin });
    return origin.key;
  }
  seen.rows += 1;
  if ((ORIGIN_RANK[origin.table] ?? 0) > (ORIGIN_RANK[seen.table] ?? 0)) {
    seen.table = origin.table;
    seen.row = origin.row;
  }
  return origin.key;
}

/**
 * IXC int references: 0 and NULL both mean "none" (fixtures/ixc/README.md §5). Returns a positive
 * integer or null; numeric strings are accepted because BIGINT columns may arrive as strings.
 */
function refField(row: Row | null | undefined, column: string): number | null {
  if (!row) return null;
  const value = row[column];
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** A string column; '' (legacy empty enum) is "unset" and returned as null. */
function textField(row: Row | null | undefined, column: string): string | null {
  if (!row) return null;
  const value = row[column];
  if (value === null || value === undefined) return null;
  const text = String(value);
  return text === '' ? null : text;
}
