import type { MarkChange } from '../work-set/work-set-mark';

/** A short human label: `produtos row 12, transaction 0-1-345`. */
export function describeOrigin(origin: Pick<MarkChange, 'table' | 'row' | 'rows' | 'transaction'>): string {
  const rows = origin.rows > 1 ? ` (+${origin.rows - 1} more row(s))` : '';
  return `${origin.table} row ${origin.row ?? '?'}${rows}${origin.transaction ? `, transaction ${origin.transaction}` : ''}`;
}
