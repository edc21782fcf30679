import type { Row } from './change-event';

/**
 * Largest id the work set stores: `contract_sync.contract_id` is `int unsigned` (IXC's own ids
 * are `int(11)`, smaller still). A larger id in a record failed the mark INSERT, and the consumer
 * fetched the same batch again for ever.
 */
export const MAX_REF_ID = 4_294_967_295;

/** Latest `source.ts_ms` accepted (9999-12-31T23:59:59.999Z); it is stored as a BIGINT and read as a date. */
export const MAX_SOURCE_TS_MS = 253_402_300_799_999;

/** IXC reference columns the fan-out reads (DESIGN.md § Fan-out). */
const REF_COLUMNS = ['id', 'id_contrato', 'id_cliente', 'id_vd_contrato', 'id_produto'] as const;

/**
 * Why a decoded record cannot be stored as marks, or null when it fits. Checked at decode time so
 * such a record goes to the dead-letter topic with its reason instead of failing the batch's
 * marking statement.
 */
export function unfitReason(rows: ReadonlyArray<Row | null>, tsMs: unknown): string | null {
  if (tsMs !== undefined && tsMs !== null && !(typeof tsMs === 'number' && Number.isSafeInteger(tsMs) && tsMs >= 0 && tsMs <= MAX_SOURCE_TS_MS)) {
    return `source.ts_ms ${describe(tsMs)} is out of range (0-${MAX_SOURCE_TS_MS})`;
  }
  for (const row of rows) {
    if (!row) continue;
    for (const column of REF_COLUMNS) {
      const value = row[column];
      if (value === null || value === undefined) continue;
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
      if (Number.isNaN(n)) continue;
      if (n > MAX_REF_ID || n < -MAX_REF_ID) return `${column} ${describe(value)} is out of range for an int unsigned id (max ${MAX_REF_ID})`;
    }
  }
  return null;
}

/** A short rendering of a value for a reason (never a whole row). */
function describe(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 40) ?? String(value);
}

/** `source.ts_ms` as it came in the envelope, for the range check (sourceInfo keeps only finite numbers). */
export function rawTsMs(source: unknown): unknown {
  return typeof source === 'object' && source !== null && !Array.isArray(source) ? (source as Record<string, unknown>).ts_ms : undefined;
}
