import { randomBytes } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { coerceError } from '../lib/coerce-error';
import type { Logger } from '../lib/logger';
import { maskText } from '../lib/mask';
import { OpsOptionError } from './errors';
import type { Metrics } from './metrics';
import { readTopicRange, type PartitionRange } from './read-topic-range';
import { createPoller, type Poller } from './poller';

/** One partition of the live group, as last measured. Offsets are decimal strings. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** The group's committed offset, null when it never committed this partition. */
  committedOffset: string | null;
  lowWatermark: string;
  highWatermark: string;
  /** The offset the group reads next: its committed offset, or where it starts without one. */
  nextOffset: string;
  /** Records not yet consumed: high watermark minus the next offset the group will read. */
  lag: number;
  /** Now minus the timestamp of the oldest unconsumed record; 0 when caught up; null when not measured yet. */
  lagSeconds: number | null;
  /** Timestamp (ms) of the oldest unconsumed record, null when caught up or not measured. */
  oldestUnconsumedAt: number | null;
  /** Last time the committed offset moved or the partition was caught up (ms). */
  lastProgressAt: number;
}

export interface LagSnapshot {
  groupId: string;
  /** False when the last poll could not reach Kafka. */
  ok: boolean;
  error: string | null;
  /** When the last successful poll finished (ms), null before the first. */
  checkedAt: number | null;
  partitions: PartitionLag[];
  /** Configured topics the broker does not have. */
  missingTopics: string[];
  /** Records on the dead-letter topic (high minus low watermarks), null when not configured or unknown. */
  dlqRecords: number | null;
  /** Probe reads done since start (one per lagging partition whose committed offset moved). */
  probes: number;
}

interface LagMonitorOptions {
  /** The live consumer group; it is only ever read. */
  groupId: string;
  /** Topics the live group consumes. Empty: every topic the group has committed offsets for. @defaultValue [] */
  topics?: readonly string[];
  /** Dead-letter topic whose record count is reported. @defaultValue none */
  dlqTopic?: string;
  /** @defaultValue 15000 */
  pollIntervalMs?: number;
  /** Bound on one probe read (join included). @defaultValue 10000 */
  probeTimeoutMs?: number;
  /** Where the live consumer starts on a partition it never committed (it subscribes `fromBeginning`). @defaultValue `earliest` */
  uncommittedStartsAt?: 'earliest' | 'latest';
}

const DEFAULT_LAG_MONITOR_OPTIONS = {
  topics: [],
  dlqTopic: '',
  pollIntervalMs: 15_000,
  probeTimeoutMs: 10_000,
  uncommittedStartsAt: 'earliest',
} satisfies Omit<Required<LagMonitorOptions>, 'groupId'>;

interface LagMonitorDeps {
  kafka: Kafka;
  metrics?: Metrics;
  logger?: Logger;
  now?: () => number;
}

export interface LagMonitor {
  start(): void;
  stop(): Promise<void>;
  /** Measures now (single-flight); the periodic loop calls the same. */
  poll(): Promise<LagSnapshot>;
  snapshot(): LagSnapshot;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Consumer lag of the live group, per partition, in offsets and in seconds measured against now:
 * the age of the oldest record the group has not consumed (the record at its committed offset),
 * not "lag at the last commit", which stays flat while a consumer is stopped
 * (jirwin/burrow_exporter#26). The record's timestamp is read once per committed offset by a
 * throwaway probe group, then aged with the clock; a caught-up partition has lag 0.
 */
export function createLagMonitor(deps: LagMonitorDeps, options: LagMonitorOptions): LagMonitor {
  if (!options.groupId) throw new OpsOptionError('groupId', 'the live consumer group is required');
  const o = { ...DEFAULT_LAG_MONITOR_OPTIONS, ...options };
  if (o.pollIntervalMs < 100) throw new OpsOptionError('pollIntervalMs', `must be at least 100, got ${o.pollIntervalMs}`);
  const now = deps.now ?? Date.now;
  const log = deps.logger?.child({ module: 'lag-monitor' });
  let admin: Admin | null = null;
  let connecting: Promise<Admin> | null = null;
  const states = new Map<string, PartitionLag>();
  // Probes that found no record at a start offset (e.g. only a transaction marker is left): not
  // retried for a minute, so one odd partition cannot cost a probe timeout on every poll.
  const unreadable = new Map<string, { from: string; at: number }>();
  const recentlyUnreadable = (k: string, from: string, t: number): boolean => {
    const u = unreadable.get(k);
    return u !== undefined && u.from === from && t - u.at < 60_000;
  };
  let snapshot: LagSnapshot = {
    groupId: o.groupId, ok: false, error: 'not measured yet', checkedAt: null, partitions: [], missingTopics: [], dlqRecords: null, probes: 0,
  };

  const getAdmin = async (): Promise<Admin> => {
    if (admin) return admin;
    connecting ??= (async () => {
      const a = deps.kafka.admin();
      await a.connect();
      admin = a;
      return a;
    })().finally(() => {
      connecting = null;
    });
    return connecting;
  };

  const measure = async (): Promise<LagSnapshot> => {
    try {
      const a = await getAdmin();
      const existing = new Set(await a.listTopics());
      let topics = [...o.topics];
      if (topics.length === 0) {
        topics = (await a.fetchOffsets({ groupId: o.groupId })).map((t) => t.topic);
      }
      const missingTopics = topics.filter((t) => !existing.has(t));
      topics = topics.filter((t) => existing.has(t));
      const committed = topics.length > 0 ? await a.fetchOffsets({ groupId: o.groupId, topics }) : [];
      const committedOf = new Map<string, string>();
      for (const t of committed) for (const p of t.partitions) committedOf.set(key(t.topic, p.partition), p.offset);

      const t = now();
      const next = new Map<string, PartitionLag>();
      const toProbe: PartitionRange[] = [];
      for (const topic of topics) {
        for (const w of await a.fetchTopicOffsets(topic)) {
          const k = key(topic, w.partition);
          const raw = committedOf.get(k);
          const committedOffset = raw !== undefined && BigInt(raw) >= 0n ? raw : null;
          const low = BigInt(w.low);
          const high = BigInt(w.high);
          const start = committedOffset !== null ? maxBig(BigInt(committedOffset), low) : o.uncommittedStartsAt === 'earliest' ? low : high;
          const lag = Number(maxBig(high - start, 0n));
          const prev = states.get(k);
          const moved = !prev || prev.committedOffset !== committedOffset;
          const sameStart = prev !== undefined && prev.nextOffset === start.toString();
          const state: PartitionLag = {
            topic,
            partition: w.partition,
            committedOffset,
            lowWatermark: w.low,
            highWatermark: w.high,
            nextOffset: start.toString(),
            lag,
            lagSeconds: lag === 0 ? 0 : null,
            oldestUnconsumedAt: null,
            lastProgressAt: moved || lag === 0 || !prev ? t : prev.lastProgressAt,
          };
          if (lag > 0) {
            // The record at an unchanged start offset is the same record: its timestamp is kept.
            if (prev && sameStart && prev.lag > 0 && prev.oldestUnconsumedAt !== null) state.oldestUnconsumedAt = prev.oldestUnconsumedAt;
            else if (!recentlyUnreadable(k, start.toString(), t)) toProbe.push({ topic, partition: w.partition, from: start.toString(), to: w.high });
          }
          next.set(k, state);
        }
      }

      let probes = snapshot.probes;
      if (toProbe.length > 0) {
        probes += toProbe.length;
        await readTopicRange(
          { kafka: deps.kafka, admin: a },
          {
            groupId: `${o.groupId}.lag-probe.${randomBytes(6).toString('hex')}`,
            ranges: toProbe,
            firstOnly: true,
            idleTimeoutMs: o.probeTimeoutMs,
            timeoutMs: o.probeTimeoutMs,
            onRecords: (records) => {
              const first = records[0];
              const state = first && next.get(key(first.topic, first.partition));
              if (state && first.timestamp !== undefined) state.oldestUnconsumedAt = Number(first.timestamp);
            },
          },
        ).catch((thrown: unknown) => log?.warn('lag probe failed', { error: coerceError(thrown) }));
      }

      for (const range of toProbe) {
        const k = key(range.topic, range.partition);
        if (next.get(k)?.oldestUnconsumedAt === null) unreadable.set(k, { from: range.from, at: now() });
        else unreadable.delete(k);
      }
      const at = now();
      for (const state of next.values()) {
        if (state.lag > 0 && state.oldestUnconsumedAt !== null) state.lagSeconds = Math.max(0, (at - state.oldestUnconsumedAt) / 1000);
      }
      states.clear();
      for (const [k, v] of next) states.set(k, v);

      let dlqRecords: number | null = null;
      if (o.dlqTopic && existing.has(o.dlqTopic)) {
        dlqRecords = (await a.fetchTopicOffsets(o.dlqTopic)).reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
      }
      snapshot = {
        groupId: o.groupId, ok: true, error: null, checkedAt: at, partitions: [...next.values()], missingTopics, dlqRecords, probes,
      };
    } catch (thrown) {
      const err = coerceError(thrown);
      log?.warn('lag poll failed', { error: err });
      snapshot = { ...snapshot, ok: false, error: maskText(err.message) };
    }
    publish(snapshot);
    return snapshot;
  };

  const publish = (s: LagSnapshot): void => {
    const m = deps.metrics;
    if (!m || !s.ok) return;
    // Reset and refill in one synchronous block: a scrape never sees a half-filled gauge.
    m.consumerLagOffsets.reset();
    m.consumerLagSeconds.reset();
    for (const p of s.partitions) {
      const labels = { topic: p.topic, partition: String(p.partition) };
      m.consumerLagOffsets.set(labels, p.lag);
      if (p.lagSeconds !== null) m.consumerLagSeconds.set(labels, p.lagSeconds);
    }
    if (s.dlqRecords !== null) m.dlqTopicRecords.set(s.dlqRecords);
  };

  const poller: Poller<LagSnapshot> = createPoller(measure, { intervalMs: o.pollIntervalMs });

  return {
    start: () => poller.start(),
    async stop() {
      await poller.stop();
      const a = admin;
      admin = null;
      if (a) await a.disconnect().catch(() => undefined);
    },
    poll: () => poller.poll(),
    snapshot: () => snapshot,
  };
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
