import type { RecordPosition } from './errors';

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
