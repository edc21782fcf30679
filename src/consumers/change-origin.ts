import type { MarkChange } from '../handlers/work-set/work-set-mark';
import type { ChangeEvent } from './change-event';

/**
 * One IXC change as the blast-radius guard counts it (DESIGN.md § Decisions, Blast-radius guard):
 * the committed transaction when the record names it, else the one row that fanned out.
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
export type ChangeOrigin = MarkChange;

/** Which of a transaction's rows names it: the one whose fan-out reaches furthest. */
const ORIGIN_RANK: Readonly<Record<string, number>> = { produtos: 4, vd_contratos_produtos: 3, cliente: 2, cliente_contrato: 1 };

/** The change a streamed record belongs to; null for snapshot reads (nothing changed) and rows without a position. */
export function changeOriginOf(event: ChangeEvent, rowId: number | null, fansOut: boolean): ChangeOrigin | null {
  if (event.op === 'r') return null;
  const row = rowId === null ? null : String(rowId);
  const { gtid, file, pos } = event.source;
  if (gtid) return { key: `tx:${gtid}`, table: event.table, row, rows: 1, transaction: gtid };
  if (!fansOut || file === null || pos === null) return null;
  return { key: `row:${event.table}:${row ?? '?'}@${file}:${pos}:${event.source.row ?? 0}`, table: event.table, row, rows: 1, transaction: null };
}

/** Adds one record's origin to the batch's changes; returns the key to attach to what it marks. */
export function addChangeOrigin(changes: Map<string, ChangeOrigin>, origin: ChangeOrigin): string {
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
