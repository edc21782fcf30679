import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../lib/logger';
import { coerceError } from '../lib/coerce-error';
import { decodeRecords, type ConsumedRecord, type RawRecord } from './decode-change-event';

/** A slice of one partition's batch, in offset order. */
export interface ChangeChunk {
  topic: string;
  partition: number;
  /** The records as fetched. */
  raw: readonly RawRecord[];
  decoded: readonly ConsumedRecord[];
  /** Keeps the group membership alive during long handlers. */
  heartbeat(): Promise<void>;
}

/**
 * Called per chunk. When it resolves, the chunk's offsets are resolved and may be committed;
 * when it throws, nothing of the chunk is committed and kafkajs retries from the first
 * unresolved record (at-least-once).
 */
export type ChangeChunkHandler = (chunk: ChangeChunk) => Promise<void>;

export interface ChangeConsumerDeps {
  kafka: Kafka;
  handler: ChangeChunkHandler;
  logger?: Logger;
  /** Called when a burst has been consumed (see `catchUp`): held reconcile slots may claim again. */
  onCaughtUp?(): void;
}

export interface ChangeConsumerOptions {
  groupId: string;
  /** Debezium topics (see changeTopics); they must exist: broker auto-creation is off. */
  topics: readonly string[];
  /** A new group starts at the earliest offset (compacted topics hold every current row). @defaultValue true */
  fromBeginning?: boolean;
  /** Records per handler call; heartbeats run between chunks. @defaultValue 500 */
  chunkSize?: number;
  /** Debezium heartbeat topic prefix, for the decoder. @defaultValue `__debezium-heartbeat` */
  heartbeatTopicPrefix?: string;
  /** @defaultValue 30000 */
  sessionTimeoutMs?: number;
  /** @defaultValue 3000 */
  heartbeatIntervalMs?: number;
  /** Upper bound of one fetch per partition. @defaultValue 4194304 */
  maxBytesPerPartition?: number;
  /**
   * The catch-up hold: while more than `backlog` records wait behind the chunk being handled, the
   * consumer is catching up on a burst and `catchingUp()` says so (the reconcile slots' hook: only
   * `slots` of them keep claiming). A backlog of 0 turns it off. @defaultValue `{ backlog: 0, slots: 0 }`
   */
  catchUp?: { backlog: number; slots: number };
}

const DEFAULT_CHANGE_CONSUMER_OPTIONS = {
  fromBeginning: true,
  chunkSize: 500,
  heartbeatTopicPrefix: '__debezium-heartbeat',
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3000,
  maxBytesPerPartition: 4_194_304,
  catchUp: { backlog: 0, slots: 0 },
} satisfies Omit<Required<ChangeConsumerOptions>, 'groupId' | 'topics'>;

export interface ChangeConsumer {
  /** Joins the group and starts fetching; resolves once `run` has started. */
  start(): Promise<void>;
  /** Finishes the chunk in flight, commits resolved offsets and leaves the group. */
  stop(): Promise<void>;
  /** The kafkajs consumer, for instrumentation (events, lag). */
  readonly consumer: Consumer;
  /**
   * Records fetched partitions still hold behind the chunk being handled, summed (from the high
   * watermarks of the last fetches): how far this consumer is from caught up.
   */
  backlog(): number;
  /** True while the backlog is above the catch-up hold's threshold (ChangeConsumerOptions.catchUp). */
  catchingUp(): boolean;
}

/**
 * A kafkajs consumer group on the Debezium topics feeding the decoder. Uses eachBatch with
 * eachBatchAutoResolve off: offsets are resolved only after the handler resolved for a chunk,
 * so an offset never runs ahead of the work it stands for.
 */
export function createChangeConsumer(deps: ChangeConsumerDeps, options: ChangeConsumerOptions): ChangeConsumer {
  const opts = { ...DEFAULT_CHANGE_CONSUMER_OPTIONS, ...options };
  if (opts.topics.length === 0) throw new Error('ChangeConsumerOptions.topics must name at least one topic');
  if (!Number.isInteger(opts.chunkSize) || opts.chunkSize < 1) throw new Error('ChangeConsumerOptions.chunkSize must be a positive integer');
  const config: ConsumerConfig = {
    groupId: opts.groupId,
    sessionTimeout: opts.sessionTimeoutMs,
    heartbeatInterval: opts.heartbeatIntervalMs,
    maxBytesPerPartition: opts.maxBytesPerPartition,
  };
  const consumer = deps.kafka.consumer(config);
  const log = deps.logger?.child({ module: 'change-consumer', groupId: opts.groupId });
  let stopping: Promise<void> | undefined;
  const behind = new Map<string, number>();
  consumer.on(consumer.events.GROUP_JOIN, () => behind.clear());
  const backlog = (): number => [...behind.values()].reduce((a, b) => a + b, 0);
  const catchingUp = (): boolean => opts.catchUp.backlog > 0 && backlog() > opts.catchUp.backlog;
  let held = false;

  /** After each handled chunk: enters or leaves the catch-up hold, logged once per change. */
  function updateCatchUpHold(): void {
    if (held && !catchingUp()) {
      held = false;
      log?.info('consumer caught up; every reconcile slot claims again', { backlog: backlog() });
      deps.onCaughtUp?.();
    } else if (!held && catchingUp()) {
      held = true;
      log?.info('consumer catching up on a burst; reconciles held to the catch-up slots', { backlog: backlog(), slots: opts.catchUp.slots });
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition, messages } = batch;
    for (let i = 0; i < messages.length; i += opts.chunkSize) {
      if (!isRunning() || isStale()) return;
      const slice = messages.slice(i, i + opts.chunkSize);
      const raw = slice.map((m) => toRawRecord(topic, partition, m));
      const decoded = decodeRecords(raw, { heartbeatTopicPrefix: opts.heartbeatTopicPrefix });
      const lastOffset = slice[slice.length - 1]?.offset;
      if (lastOffset !== undefined) behind.set(`${topic}:${partition}`, Math.max(0, Number(batch.highWatermark) - 1 - Number(lastOffset)));
      try {
        await deps.handler({ topic, partition, raw, decoded, heartbeat });
      } catch (thrown) {
        const err = coerceError(thrown);
        log?.warn('change handler failed; the chunk will be fetched again', { topic, partition, firstOffset: slice[0]?.offset, err });
        throw err;
      }
      updateCatchUpHold();
      const last = slice[slice.length - 1];
      if (last) resolveOffset(last.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  return {
    consumer,
    backlog,
    catchingUp,
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics: [...opts.topics], fromBeginning: opts.fromBeginning });
      await consumer.run({ eachBatchAutoResolve: false, autoCommit: true, eachBatch });
    },
    stop() {
      stopping ??= consumer.disconnect();
      return stopping;
    },
  };
}

/** A fetched kafkajs message as the decoder reads it; also how `replay` and `dlq` read records back. */
export function toRawRecord(topic: string, partition: number, m: KafkaMessage): RawRecord {
  return { topic, partition, offset: m.offset, key: m.key ?? null, value: m.value ?? null, timestamp: m.timestamp };
}
