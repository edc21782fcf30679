import { Kafka, logLevel, type Admin } from 'kafkajs';
import { CAPTURED_TABLES, changeTopic, heartbeatTopic } from '../src/consumers/change-topics';
import type { BenchEvent } from './workload';

export interface BenchTopics {
  prefix: string;
  database: string;
  topics: string[];
  delete(): Promise<void>;
}

export function benchKafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'ixc-iot-sync-bench', brokers, logLevel: logLevel.NOTHING });
}

/**
 * The topics a worker configured with KAFKA_TOPIC_PREFIX=`prefix` and IXC_DB_NAME=`database`
 * subscribes to (broker auto-creation is off): one partition each, like the connector's.
 */
export async function createBenchTopics(kafka: Kafka, prefix: string, database: string, heartbeatPrefix: string): Promise<BenchTopics> {
  const topics = [...CAPTURED_TABLES.map((t) => changeTopic(prefix, database, t)), heartbeatTopic(heartbeatPrefix, prefix)];
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })) });
  } finally {
    await admin.disconnect();
  }
  return {
    prefix,
    database,
    topics,
    async delete() {
      const a = kafka.admin();
      await a.connect();
      try {
        await a.deleteTopics({ topics });
      } finally {
        await a.disconnect();
      }
    },
  };
}

/** The record the Debezium MariaDB connector writes (JsonConverter, schemas off) for `event`. */
export function renderRecord(
  event: BenchEvent,
  ctx: { prefix: string; database: string; stored: Record<string, unknown> | undefined; tsMs: number; pos: number },
): { key: string; value: string } {
  const full = (values: Record<string, unknown> | null) => (values === null ? null : { ...ctx.stored, ...values });
  const snapshot = event.op === 'r';
  const value = {
    before: full(event.before),
    after: full(event.after),
    source: {
      version: '3.5.0.Final',
      connector: 'mariadb',
      name: ctx.prefix,
      ts_ms: ctx.tsMs,
      snapshot: snapshot ? 'true' : null,
      db: ctx.database,
      sequence: null,
      ts_us: ctx.tsMs * 1000,
      ts_ns: ctx.tsMs * 1_000_000,
      table: event.table,
      server_id: snapshot ? 0 : 1,
      gtid: snapshot ? null : `0-1-${ctx.pos}`,
      file: 'mariadb-bin.000001',
      pos: ctx.pos,
      row: 0,
      thread: null,
      query: null,
    },
    transaction: null,
    op: event.op,
    ts_ms: ctx.tsMs,
    ts_us: ctx.tsMs * 1000,
    ts_ns: ctx.tsMs * 1_000_000,
  };
  return { key: JSON.stringify({ id: event.rowId }), value: JSON.stringify(value) };
}

/**
 * Produces the events in order, in requests of up to `maxRequestBytes` (under the broker's 1 MiB
 * batch limit), as a connector's producer batches. Returns, per event index, the time its request
 * was acknowledged (the moment it is in Kafka).
 */
export async function produceEvents(
  kafka: Kafka,
  events: readonly BenchEvent[],
  render: (event: BenchEvent, index: number) => { key: string; value: string },
  topicOf: (event: BenchEvent) => string,
  maxRequestBytes = 900_000,
): Promise<{ ackedAt: Float64Array; startedAt: number; endedAt: number }> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const ackedAt = new Float64Array(events.length);
  const startedAt = Date.now();
  try {
    let first = 0;
    let bytes = 0;
    let byTopic = new Map<string, Array<{ key: string; value: string }>>();
    const flush = async (end: number): Promise<void> => {
      if (end === first) return;
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      const now = Date.now();
      for (let j = first; j < end; j += 1) ackedAt[j] = now;
      first = end;
      bytes = 0;
      byTopic = new Map();
    };
    for (let i = 0; i < events.length; i += 1) {
      const event = events[i]!;
      const record = render(event, i);
      const size = record.key.length + record.value.length + 64;
      if (bytes + size > maxRequestBytes) await flush(i);
      const topic = topicOf(event);
      const list = byTopic.get(topic) ?? [];
      list.push(record);
      byTopic.set(topic, list);
      bytes += size;
    }
    await flush(events.length);
  } finally {
    await producer.disconnect();
  }
  return { ackedAt, startedAt, endedAt: Date.now() };
}
