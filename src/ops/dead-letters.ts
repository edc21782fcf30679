import { randomBytes } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { DLQ_HEADERS } from '../consumers/dead-letter';
import { decodeRecords, type RawRecord } from '../consumers/decode-change-event';
import { markBatch, type MarkContracts, type Query } from '../consumers/mark-batch';
import { maskText } from '../lib/mask';
import { readTopicRange, type PartitionRange, type ReadRecord } from './read-topic-range';

/** A dead letter as `dlq list` shows it: where it sits, where it came from, why (all masked). */
export interface DeadLetterView {
  partition: number;
  offset: string;
  original: { topic: string; partition: number; offset: string } | null;
  errorClass: string | null;
  error: string | null;
  failedAt: string | null;
  key: string | null;
}

export interface DeadLetterDeps {
  kafka: Kafka;
  admin: Admin;
}

async function ranges(admin: Admin, topic: string, lastPerPartition?: number): Promise<{ total: number; ranges: PartitionRange[] }> {
  const offsets = await admin.fetchTopicOffsets(topic);
  let total = 0;
  const out: PartitionRange[] = [];
  for (const p of offsets) {
    const low = BigInt(p.low);
    const high = BigInt(p.high);
    total += Number(high - low);
    const from = lastPerPartition === undefined ? low : high - BigInt(lastPerPartition) > low ? high - BigInt(lastPerPartition) : low;
    if (from < high) out.push({ topic, partition: p.partition, from: from.toString(), to: p.high });
  }
  return { total, ranges: out };
}

const text = (v: Buffer | string | null): string | null => (v === null ? null : Buffer.isBuffer(v) ? v.toString('utf8') : v);

function view(r: ReadRecord): DeadLetterView {
  const h = r.headers;
  const topic = h[DLQ_HEADERS.originalTopic];
  const key = text(r.key);
  const message = h[DLQ_HEADERS.errorMessage];
  return {
    partition: r.partition,
    offset: r.offset,
    original: topic ? { topic, partition: Number(h[DLQ_HEADERS.originalPartition] ?? -1), offset: h[DLQ_HEADERS.originalOffset] ?? '?' } : null,
    errorClass: h[DLQ_HEADERS.errorClass] ?? null,
    error: message ? maskText(message) : null,
    failedAt: h[DLQ_HEADERS.failedAt] ?? null,
    key: key === null ? null : maskText(key).slice(0, 200),
  };
}

/** The original record a dead letter stands for: its bytes, with the coordinates from the headers. */
export function originalRecord(r: ReadRecord): RawRecord {
  const h = r.headers;
  const timestamp = h[DLQ_HEADERS.originalTimestamp] ?? r.timestamp;
  return {
    topic: h[DLQ_HEADERS.originalTopic] ?? r.topic,
    partition: h[DLQ_HEADERS.originalPartition] !== undefined ? Number(h[DLQ_HEADERS.originalPartition]) : r.partition,
    offset: h[DLQ_HEADERS.originalOffset] ?? r.offset,
    key: r.key,
    value: r.value,
    ...(timestamp !== undefined ? { timestamp } : {}),
  };
}

/** The newest `limit` dead letters (per partition, then newest first overall) and the total count. */
export async function listDeadLetters(
  deps: DeadLetterDeps,
  options: { topic: string; limit: number; groupPrefix: string },
): Promise<{ total: number; letters: DeadLetterView[] }> {
  const { total, ranges: wanted } = await ranges(deps.admin, options.topic, options.limit);
  const letters: DeadLetterView[] = [];
  await readTopicRange(deps, {
    groupId: `${options.groupPrefix}.dlq-list.${randomBytes(6).toString('hex')}`,
    ranges: wanted,
    onRecords: (records) => void letters.push(...records.map(view)),
  });
  letters.sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? '') || Number(BigInt(b.offset) - BigInt(a.offset)));
  return { total, letters: letters.slice(0, options.limit) };
}

export interface RedriveDeps extends DeadLetterDeps {
  /** Read-only fan-out queries. */
  query: Query;
  /** The work set's mark (durable when it resolves); markBatch applies the marking rules. */
  mark: MarkContracts;
}

export interface RedriveResult {
  read: number;
  /** Records that decode now and whose contracts were marked. */
  redriven: number;
  contractsMarked: number;
  /** Still undecodable: they stay on the dead-letter topic, nothing is republished. */
  stillUndecodable: DeadLetterView[];
  skipped: Record<string, number>;
  /** False when some partition could not be read to its end (see the logs); run it again. */
  complete: boolean;
}

/**
 * Re-decodes every dead letter and marks the contracts of those that decode now, through the
 * same markBatch and marking rules the consumer uses. Nothing is produced anywhere: not back into Connect's
 * topics, not into the dead-letter topic (records still undecodable simply stay where they are).
 * Marking is idempotent, so a second redrive marks the same contracts again, harmlessly.
 */
export async function redriveDeadLetters(
  deps: RedriveDeps,
  options: { topic: string; groupPrefix: string; heartbeatTopicPrefix: string },
): Promise<RedriveResult> {
  const { ranges: all } = await ranges(deps.admin, options.topic);
  const result: RedriveResult = { read: 0, redriven: 0, contractsMarked: 0, stillUndecodable: [], skipped: {}, complete: true };
  const read = await readTopicRange(deps, {
    groupId: `${options.groupPrefix}.dlq-redrive.${randomBytes(6).toString('hex')}`,
    ranges: all,
    onRecords: async (records) => {
      result.read += records.length;
      const decoded = decodeRecords(records.map(originalRecord), { heartbeatTopicPrefix: options.heartbeatTopicPrefix });
      decoded.forEach((d, i) => {
        if (!d.ok) result.stillUndecodable.push(view(records[i]!));
      });
      const batch = await markBatch(decoded, {
        query: deps.query,
        mark: deps.mark,
        deadLetter: async () => undefined,
        nudge: () => undefined,
      });
      result.redriven += batch.records - batch.deadLettered;
      result.contractsMarked += batch.marked;
      for (const [reason, n] of Object.entries(batch.skipped)) result.skipped[reason] = (result.skipped[reason] ?? 0) + (n ?? 0);
    },
  });
  result.complete = read.unfinished.length === 0;
  return result;
}
