import type { ChangeEvent, ChangeOp, DecodedRecord, RawRecord, Row, SourceInfo } from './change-event';
import { EnvelopeDecodeError, type RecordPosition } from './errors';
import { rawTsMs, unfitReason } from './record-fit';

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
