import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { toRawRecord } from '../consumers/create-change-consumer';
import type { RawRecord } from '../consumers/decode-change-event';
import { coerceError } from '../lib/coerce-error';
import { TopicReadError } from './errors';

/** Offsets `[from, to)` of one partition. Offsets are decimal strings, as kafkajs gives them. */
export interface PartitionRange {
  topic: string;
  partition: number;
  from: string;
  to: string;
}

/** A record read back, with its headers decoded as UTF-8 (dead letters carry their context there). */
export interface ReadRecord extends RawRecord {
  headers: Record<string, string>;
}

export interface ReadTopicRangeDeps {
  kafka: Kafka;
  /** Used to delete the throwaway group afterwards. */
  admin: Admin;
}

export interface ReadTopicRangeOptions {
  /** A fresh, uniquely named group: it is never committed to and is deleted afterwards. */
  groupId: string;
  ranges: readonly PartitionRange[];
  /** Called with the in-range records of one fetched batch, in offset order. */
  onRecords(records: ReadRecord[], range: PartitionRange): Promise<void> | void;
  /** Stop reading a partition after its first record (the lag probe needs one timestamp). @defaultValue false */
  firstOnly?: boolean;
  /** Give up on partitions that yield nothing for this long after the group joined. @defaultValue 10000 */
  idleTimeoutMs?: number;
  /** Hard bound on the whole read, join included. @defaultValue no bound */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ReadTopicRangeResult {
  records: number;
  /** Ranges not read to their end (idle timeout, overall timeout or abort). */
  unfinished: PartitionRange[];
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Reads fixed offset ranges with a throwaway consumer group: it seeks each partition to `from`,
 * hands over records below `to`, never commits, and deletes its group at the end. kafkajs has no
 * manual assignment (tulios/kafkajs#373), so a group of one is the supported way to read at an
 * offset; the live group is never touched. Used by the lag probe, `dlq` and `replay`.
 */
export async function readTopicRange(deps: ReadTopicRangeDeps, options: ReadTopicRangeOptions): Promise<ReadTopicRangeResult> {
  const { groupId, onRecords, firstOnly = false, idleTimeoutMs = 10_000, timeoutMs, signal } = options;
  const pending = new Map<string, PartitionRange>();
  for (const range of options.ranges) {
    if (BigInt(range.from) < BigInt(range.to)) pending.set(key(range.topic, range.partition), range);
  }
  if (pending.size === 0) return { records: 0, unfinished: [] };

  const consumer = deps.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
    retry: { retries: 3 },
  });
  let records = 0;
  let failure: Error | null = null;
  let lastActivityAt = Date.now();
  let wake: () => void = () => undefined;
  const changed = (): void => wake();

  consumer.on(consumer.events.GROUP_JOIN, () => {
    lastActivityAt = Date.now();
  });
  consumer.on(consumer.events.CRASH, (event) => {
    failure = coerceError(event.payload.error);
    changed();
  });

  const started = Date.now();
  try {
    await consumer.connect();
    const topics = [...new Set([...pending.values()].map((r) => r.topic))];
    // Partitions without a seek start at the end: nothing outside the ranges is read.
    await consumer.subscribe({ topics, fromBeginning: false });
    const running = consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, pause, isRunning, resolveOffset, heartbeat }) => {
        const range = pending.get(key(batch.topic, batch.partition));
        if (!range || !isRunning()) return;
        lastActivityAt = Date.now();
        const from = BigInt(range.from);
        const to = BigInt(range.to);
        let inRange = batch.messages.filter((m) => BigInt(m.offset) >= from && BigInt(m.offset) < to);
        if (firstOnly) inRange = inRange.slice(0, 1);
        if (inRange.length > 0) {
          records += inRange.length;
          await onRecords(
            inRange.map((m) => toReadRecord(batch.topic, batch.partition, m)),
            range,
          );
        }
        // Nothing is committed, but the fetch position only moves past resolved offsets: without
        // this, kafkajs hands the same batch over again and a range longer than one fetch never ends.
        resolveOffset(batch.lastOffset());
        await heartbeat();
        const last = inRange.length > 0 ? BigInt(inRange[inRange.length - 1]!.offset) : BigInt(batch.lastOffset());
        if ((firstOnly && inRange.length > 0) || last >= to - 1n) {
          pending.delete(key(batch.topic, batch.partition));
          pause()();
          changed();
        }
      },
    });
    // Seeks are queued on the group right away and applied at the first fetch after assignment.
    for (const range of pending.values()) consumer.seek({ topic: range.topic, partition: range.partition, offset: range.from });
    await running;

    while (pending.size > 0 && failure === null && !signal?.aborted) {
      const now = Date.now();
      if (now - lastActivityAt > idleTimeoutMs) break;
      if (timeoutMs !== undefined && now - started > timeoutMs) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (failure !== null) throw new TopicReadError(`Reading with group ${groupId} failed`, { cause: failure });
    return { records, unfinished: [...pending.values()] };
  } catch (thrown) {
    const err = coerceError(thrown);
    throw err instanceof TopicReadError ? err : new TopicReadError(`Reading with group ${groupId} failed: ${err.message}`, { cause: err });
  } finally {
    try {
      await consumer.disconnect();
    } catch {
      // The consumer may never have connected; nothing to release then.
    }
    await deleteGroupQuietly(deps.admin, groupId);
  }
}

/** Deletes a throwaway group; a group that is already gone (never committed, expired) is fine. */
export async function deleteGroupQuietly(admin: Admin, groupId: string): Promise<boolean> {
  try {
    await admin.deleteGroups([groupId]);
    return true;
  } catch {
    return false;
  }
}

function toReadRecord(topic: string, partition: number, m: KafkaMessage): ReadRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return { ...toRawRecord(topic, partition, m), headers };
}
