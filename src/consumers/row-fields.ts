import type { Row } from './change-event';

/**
 * IXC int references: 0 and NULL both mean "none" (fixtures/ixc/README.md §5). Returns a positive
 * integer or null; numeric strings are accepted because BIGINT columns may arrive as strings.
 */
export function refField(row: Row | null | undefined, column: string): number | null {
  if (!row) return null;
  const value = row[column];
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** A string column; '' (legacy empty enum) is "unset" and returned as null. */
export function textField(row: Row | null | undefined, column: string): string | null {
  if (!row) return null;
  const value = row[column];
  if (value === null || value === undefined) return null;
  const text = String(value);
  return text === '' ? null : text;
}
