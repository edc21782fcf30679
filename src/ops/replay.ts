import { randomBytes } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { decodeRecords } from '../consumers/decode-change-event';
import { markBatch, type MarkContracts, type Query } from '../consumers/mark-batch';
import { OpsOptionError } from './errors';
import { readTopicRange, type PartitionRange } from './read-topic-range';

export interface ReplayProgress {
  read: number;
  total: number;
  contracts: number;
}

export interface ReplayDeps {
  kafka: Kafka;
  admin: Admin;
  /** Read-only fan-out queries. */
  query: Query;
  /** The work set's mark; markBatch marks in verify mode at replay priority (the reconcile diffs against the platform). */
  mark: MarkContracts;
  onProgress?(progress: ReplayProgress): void;
}

export interface ReplayOptions {
  topics: readonly string[];
  /** `earliest`, or the time from which records are replayed (offsets by timestamp). */
  from: 'earliest' | Date;
  /** The live group: the replay group is named after it and must never be it. */
  liveGroupId: string;
  heartbeatTopicPrefix: string;
  /** Give up on a partition that yields nothing for this long. @defaultValue 30000 */
  idleTimeoutMs?: number;
}

export interface ReplayResult {
  groupId: string;
  from: string;
  ranges: Array<PartitionRange & { records: number }>;
  read: number;
  /** Contracts marked for a verify reconcile, ascending. */
  contracts: number[];
  undecodable: number;
  skipped: Record<string, number>;
  complete: boolean;
}

/** `earliest` or an ISO-8601 time; anything else is refused with the option named. */
export function parseReplayFrom(value: string): 'earliest' | Date {
  if (value === 'earliest') return 'earliest';
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t)) throw new OpsOptionError('--from', `use "earliest" or an ISO time such as 2026-07-01T00:00:00Z, got "${value}"`);
  return new Date(t);
}

/**
 * Replays change topics through a separate, uniquely named consumer group: each partition is
 * sought to its earliest offset or to the first offset at `from` (offsets by timestamp), read up
 * to the high watermark seen at the start, and every affected contract is marked in verify mode
 * at replay priority. The live group's offsets are never read or written; the replay group never
 * commits and is deleted at the end. Undecodable records are counted, not dead-lettered (the live
 * consumer already did).
 */
export async function replayTopics(deps: ReplayDeps, options: ReplayOptions): Promise<ReplayResult> {
  if (options.topics.length === 0) throw new OpsOptionError('--topics', 'name at least one topic');
  const groupId = `${options.liveGroupId}.replay.${new Date().toISOString().replace(/[:.]/g, '-')}.${randomBytes(4).toString('hex')}`;
  const existing = new Set(await deps.admin.listTopics());
  const missing = options.topics.filter((t) => !existing.has(t));
  if (missing.length > 0) throw new OpsOptionError('--topics', `no such topic: ${missing.join(', ')}`);

  const ranges: Array<PartitionRange & { records: number }> = [];
  for (const topic of options.topics) {
    const watermarks = await deps.admin.fetchTopicOffsets(topic);
    const starts =
      options.from === 'earliest'
        ? new Map(watermarks.map((w) => [w.partition, w.low]))
        : new Map((await deps.admin.fetchTopicOffsetsByTimestamp(topic, options.from.getTime())).map((s) => [s.partition, s.offset]));
    for (const w of watermarks) {
      const low = BigInt(w.low);
      const start = BigInt(starts.get(w.partition) ?? w.high);
      const from = start < low ? low : start;
      ranges.push({ topic, partition: w.partition, from: from.toString(), to: w.high, records: 0 });
    }
  }
  const total = ranges.reduce((n, r) => n + Math.max(0, Number(BigInt(r.to) - BigInt(r.from))), 0);
  const contracts = new Set<number>();
  const result: ReplayResult = {
    groupId,
    from: options.from === 'earliest' ? 'earliest' : options.from.toISOString(),
    ranges,
    read: 0,
    contracts: [],
    undecodable: 0,
    skipped: {},
    complete: true,
  };
  deps.onProgress?.({ read: 0, total, contracts: 0 });

  const read = await readTopicRange(deps, {
    groupId,
    ranges,
    idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
    onRecords: async (records, range) => {
      const batch = await markBatch(decodeRecords(records, { heartbeatTopicPrefix: options.heartbeatTopicPrefix }), {
        query: deps.query,
        mark: deps.mark,
        // Each contract once per replay (markWrites).
        replayed: contracts,
        deadLetter: async (letters) => {
          result.undecodable += letters.length;
        },
        nudge: () => undefined,
      });
      result.read += records.length;
      const r = ranges.find((x) => x.topic === range.topic && x.partition === range.partition);
      if (r) r.records += records.length;
      for (const [reason, n] of Object.entries(batch.skipped)) result.skipped[reason] = (result.skipped[reason] ?? 0) + (n ?? 0);
      deps.onProgress?.({ read: result.read, total, contracts: contracts.size });
    },
  });
  result.complete = read.unfinished.length === 0;
  result.contracts = [...contracts].sort((a, b) => a - b);
  return result;
}
