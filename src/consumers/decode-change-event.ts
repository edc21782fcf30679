import { EnvelopeDecodeError, isEnvelopeDecodeError, type RecordPosition } from './errors';

/** Debezium operations: c create, u update, d delete, r snapshot read. */
export type ChangeOp = 'c' | 'u' | 'd' | 'r';

/** A row as the connector emits it (JsonConverter, schemas off): decimals as strings, times as ISO strings. */
export type Row = Readonly<Record<string, unknown>>;

/** Where in the binlog a change was read, and whether it came from a snapshot. */
export interface SourceInfo {
  db: string | null;
  table: string | null;
  /** When the change happened in the database (ms since epoch). */
  tsMs: number | null;
  /** Debezium's string enum (`true`, `first`, `last`, `incremental`, …) or null while streaming. */
  snapshot: string | null;
  gtid: string | null;
  file: string | null;
  pos: number | null;
  row: number | null;
}

/** The raw record handed to the decoder; the shape of a kafkajs message plus its coordinates. */
export interface RawRecord extends RecordPosition {
  key: Buffer | string | null;
  value: Buffer | string | null;
  timestamp?: string;
}

export interface ChangeEvent {
  kind: 'change';
  table: string;
  op: ChangeOp;
  key: Row;
  before: Row | null;
  after: Row | null;
  source: SourceInfo;
  position: RecordPosition;
}

/** The null-valued record Debezium writes after a delete so compaction can drop the key. */
export interface TombstoneEvent {
  kind: 'tombstone';
  table: string;
  key: Row;
  position: RecordPosition;
}

export interface HeartbeatEvent {
  kind: 'heartbeat';
  tsMs: number | null;
  position: RecordPosition;
}

export interface SchemaChangeEvent {
  kind: 'schema-change';
  position: RecordPosition;
}

/** `op=t`: Debezium skips truncates by default; recognised so they are counted, not dead-lettered. */
export interface TruncateEvent {
  kind: 'truncate';
  table: string;
  position: RecordPosition;
}

export type DecodedRecord = ChangeEvent | TombstoneEvent | HeartbeatEvent | SchemaChangeEvent | TruncateEvent;

export interface DecodeOptions {
  /** Debezium heartbeat topic prefix. @defaultValue `__debezium-heartbeat` */
  heartbeatTopicPrefix?: string;
}

const CHANGE_OPS: readonly ChangeOp[] = ['c', 'u', 'd', 'r'];

/**
 * Decodes one Debezium MariaDB record (JsonConverter with schemas disabled) into a typed event,
 * or throws an EnvelopeDecodeError naming topic, partition and offset. Tombstones, heartbeats,
 * schema-change records and truncates are recognised and classified, not errors.
 */
export function decodeChangeEvent(record: RawRecord, options: DecodeOptions = {}): DecodedRecord {
  const position: RecordPosition = { topic: record.topic, partition: record.partition, offset: record.offset };
  const heartbeatPrefix = options.heartbeatTopicPrefix ?? '__debezium-heartbeat';

  if (record.topic.startsWith(heartbeatPrefix)) {
    const value = record.value === null ? null : parseJson(record.value, position, 'value');
    const tsMs = isObject(value) && typeof value.ts_ms === 'number' ? value.ts_ms : null;
    return { kind: 'heartbeat', tsMs, position };
  }

  const key = record.key === null ? null : parseJson(record.key, position, 'key');
  if (record.value === null || (typeof record.value !== 'string' && record.value.length === 0)) {
    if (!isObject(key)) throw new EnvelopeDecodeError(position, 'tombstone without a key object');
    const unfit = unfitReason([key], undefined);
    if (unfit !== null) throw new EnvelopeDecodeError(position, unfit);
    return { kind: 'tombstone', table: tableFromTopic(record.topic, position), key, position };
  }

  const value = parseJson(record.value, position, 'value');
  if (!isObject(value)) throw new EnvelopeDecodeError(position, 'value is not a JSON object');

  if ('ddl' in value || 'tableChanges' in value || ('databaseName' in value && !('op' in value))) {
    return { kind: 'schema-change', position };
  }

  const op = value.op;
  if (op === 't') return { kind: 'truncate', table: tableFromSource(value, record.topic, position), position };
  if (typeof op !== 'string' || !CHANGE_OPS.includes(op as ChangeOp)) {
    throw new EnvelopeDecodeError(position, `unknown op ${JSON.stringify(op)}`);
  }
  const changeOp = op as ChangeOp;
  const before = rowOrNull(value.before, position, 'before');
  const after = rowOrNull(value.after, position, 'after');
  if ((changeOp === 'c' || changeOp === 'r' || changeOp === 'u') && after === null) {
    throw new EnvelopeDecodeError(position, `op ${changeOp} without "after"`);
  }
  if (changeOp === 'd' && before === null) {
    throw new EnvelopeDecodeError(position, 'op d without "before"');
  }

  const unfit = unfitReason([isObject(key) ? key : null, before, after], rawTsMs(value.source));
  if (unfit !== null) throw new EnvelopeDecodeError(position, unfit);

  const event: ChangeEvent = {
    kind: 'change',
    table: tableFromSource(value, record.topic, position),
    op: changeOp,
    key: isObject(key) ? key : keyFromRow(after ?? before),
    before,
    after,
    source: sourceInfo(value.source),
    position,
  };
  return event;
}

function parseJson(raw: Buffer | string, position: RecordPosition, what: string): unknown {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new EnvelopeDecodeError(position, `${what} is not JSON`, { cause: err });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rowOrNull(value: unknown, position: RecordPosition, field: string): Row | null {
  if (value === null || value === undefined) return null;
  if (!isObject(value)) throw new EnvelopeDecodeError(position, `"${field}" is not an object`);
  return value;
}

function keyFromRow(row: Row | null): Row {
  return row && 'id' in row ? { id: row.id } : {};
}

/** Topics are `<prefix>.<db>.<table>`; the table is the last segment. */
function tableFromTopic(topic: string, position: RecordPosition): string {
  const parts = topic.split('.');
  const table = parts[parts.length - 1];
  if (parts.length < 3 || !table) throw new EnvelopeDecodeError(position, `topic "${topic}" does not name a table`);
  return table;
}

function tableFromSource(value: Record<string, unknown>, topic: string, position: RecordPosition): string {
  const source = value.source;
  if (isObject(source) && typeof source.table === 'string' && source.table !== '') return source.table;
  return tableFromTopic(topic, position);
}

function sourceInfo(source: unknown): SourceInfo {
  const s = isObject(source) ? source : {};
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const snapshot = typeof s.snapshot === 'boolean' ? String(s.snapshot) : str(s.snapshot);
  return {
    db: str(s.db),
    table: str(s.table),
    tsMs: num(s.ts_ms),
    snapshot: snapshot === 'false' ? null : snapshot,
    gtid: str(s.gtid),
    file: str(s.file),
    pos: num(s.pos),
    row: num(s.row),
  };
}

/** One record as markBatch sees it: decoded, or the decode error (for the dead-letter topic). */
export type ConsumedRecord =
  | { ok: true; raw: RawRecord; record: DecodedRecord }
  | { ok: false; raw: RawRecord; error: EnvelopeDecodeError };

/**
 * Decodes records for markBatch; a record that cannot be read becomes its error, any other throw
 * propagates. The one decoder of the consumer, `replay` and `dlq redrive`.
 */
export function decodeRecords(records: readonly RawRecord[], options: DecodeOptions = {}): ConsumedRecord[] {
  return records.map((raw) => {
    try {
      return { ok: true as const, raw, record: decodeChangeEvent(raw, options) };
    } catch (err) {
      if (!isEnvelopeDecodeError(err)) throw err;
      return { ok: false as const, raw, error: err };
    }
  });
}

// Record fit: whether a decoded record can be stored as marks at all.

/**
 * Largest id the work set stores: `contract_sync.contract_id` is `int unsigned` (IXC's own ids
 * are `int(11)`, smaller still). A larger id in a record failed the mark INSERT, and the consumer
 * fetched the same batch again for ever.
 */
const MAX_REF_ID = 4_294_967_295;

/** Latest `source.ts_ms` accepted (9999-12-31T23:59:59.999Z); it is stored as a BIGINT and read as a date. */
const MAX_SOURCE_TS_MS = 253_402_300_799_999;

/** IXC reference columns the fan-out reads (DESIGN.md § Fan-out). */
const REF_COLUMNS = ['id', 'id_contrato', 'id_cliente', 'id_vd_contrato', 'id_produto'] as const;

/**
 * Why a decoded record cannot be stored as marks, or null when it fits. Checked at decode time so
 * such a record goes to the dead-letter topic with its reason instead of failing the batch's
 * marking statement.
 */
function unfitReason(rows: ReadonlyArray<Row | null>, tsMs: unknown): string | null {
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
function rawTsMs(source: unknown): unknown {
  return isObject(source) ? source.ts_ms : undefined;
}
