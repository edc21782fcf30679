import { randomInt } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import mysql from 'mysql2/promise';
import type { AppConfig } from '../src/config/app-config';
import { changeTopics, heartbeatTopic } from '../src/consumers/change-topics';
import { renderConnectorConfig, schemaHistoryTopic } from '../src/stack/connector-template';
import { registerConnector } from '../src/stack/register-connector';
import { createStackLayout } from '../src/stack/stack-layout';
import type { ScaleWorkload } from './scale-workload';

export interface ScaleConnector {
  name: string;
  prefix: string;
  dataTopics: string[];
  heartbeatTopic: string;
  /** The connector's settings that decide the snapshot (as registered). */
  snapshot: { mode: string; lockingMode: string };
  remove(): Promise<void>;
}

/**
 * Debezium's connector for the scale database, from the one template (docker/connector), with
 * its own name, topic prefix, schema history and replica server id (the stack's own connector
 * keeps running beside it). The data topics are created first, compacted as the template asks
 * Connect to create them, so the worker can subscribe before the snapshot reaches every table.
 */
export async function registerScaleConnector(
  config: Readonly<AppConfig>,
  kafka: Kafka,
  o: { database: string; prefix: string; debeziumUser: string },
): Promise<ScaleConnector> {
  const name = `ixc-scale-${o.prefix}`;
  const connectUrl = config.connect.url;
  const dataTopics = changeTopics(o.prefix, o.database);
  const heartbeat = heartbeatTopic(config.kafka.heartbeatTopicPrefix, o.prefix);
  const history = schemaHistoryTopic(o.prefix);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        ...dataTopics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] })),
        { topic: heartbeat, numPartitions: 1, replicationFactor: 1 },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  const rendered: Record<string, string> = {
    ...renderConnectorConfig({
      DB_HOST: '127.0.0.1',
      DB_PORT: String(config.stack.dbPort),
      DB_USER: o.debeziumUser,
      // The stack's connector secrets file, read by Connect's FileConfigProvider (as for its own connector).
      DB_PASSWORD_REF: `\${file:${createStackLayout(config.stack.home).connectorSecrets}:database.password}`,
      DB_NAME: o.database,
      TOPIC_PREFIX: o.prefix,
      KAFKA_BOOTSTRAP: `127.0.0.1:${config.stack.kafkaPort}`,
      SCHEMA_HISTORY_TOPIC: history,
      HEARTBEAT_TOPIC_PREFIX: config.kafka.heartbeatTopicPrefix,
      TOPIC_REPLICATION_FACTOR: '1',
    }),
    // Two connectors reading one binlog are two replicas: each needs its own server id.
    'database.server.id': String(200_000 + randomInt(100_000)),
  };
  await registerConnector({
    connectUrl,
    connectorName: name,
    config: rendered,
    brokers: [...config.kafka.brokers],
    schemaHistoryTopic: history,
    extraTopics: [],
    awaitTopics: dataTopics,
    timeoutMs: 180_000,
  });
  return {
    name,
    prefix: o.prefix,
    dataTopics,
    heartbeatTopic: heartbeat,
    snapshot: { mode: rendered['snapshot.mode'] ?? 'initial', lockingMode: rendered['snapshot.locking.mode'] ?? 'minimal' },
    async remove() {
      await fetch(`${connectUrl}/connectors/${encodeURIComponent(name)}`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
      const a = kafka.admin();
      await a.connect();
      try {
        await a.deleteTopics({ topics: [...dataTopics, heartbeat, history] });
      } finally {
        await a.disconnect();
      }
    },
  };
}

/** Sum of the high watermarks of `topics`. */
export async function topicEnds(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const topic of topics) out.set(topic, (await admin.fetchTopicOffsets(topic)).reduce((a, p) => a + Number(p.high), 0));
  return out;
}

/** Records of `topics` the group has not committed, against `ends` (or the current ends). */
export async function groupBehind(admin: Admin, groupId: string, ends: ReadonlyMap<string, number>): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...ends.keys()] });
  let behind = 0;
  for (const [topic, end] of ends) {
    const at = (committed.find((t) => t.topic === topic)?.partitions ?? []).reduce((a, p) => a + Math.max(0, Number(p.offset)), 0);
    behind += Math.max(0, end - at);
  }
  return behind;
}

export interface LockProbes {
  /** Longest write on any captured table during [from, to], in ms, and the probes taken then. */
  worst(from: number, to: number): { maxMs: number; samples: number };
  stop(): Promise<void>;
}

/**
 * How long the snapshot keeps IXC's writers waiting: one small UPDATE on each captured table
 * every `intervalMs` (columns no platform decision reads, so the worker skips them), each timed.
 * A table lock held by the snapshot (LOCK TABLES or FLUSH TABLES WITH READ LOCK) shows up as a
 * probe lasting as long as the lock.
 */
export async function startLockProbes(
  server: { host: string; port: number; user: string; password: string; database: string },
  probe: ScaleWorkload['probe'],
  intervalMs = 100,
): Promise<LockProbes> {
  const conn = await mysql.createConnection(server);
  const samples: Array<{ at: number; ms: number }> = [];
  const statements: Array<[string, number]> = [
    ['UPDATE cliente SET obs = ? WHERE id = ?', probe.customer],
    ['UPDATE cliente_contrato SET obs = ? WHERE id = ?', probe.contract],
    ['UPDATE vd_contratos_produtos SET descricao = ? WHERE id = ?', probe.line],
    ['UPDATE produtos SET descricao = ? WHERE id = ?', probe.product],
  ];
  let running = true;
  let stopped: Promise<void> | undefined;
  let n = 0;
  const loop = (async () => {
    while (running) {
      for (const [sql, id] of statements) {
        const at = Date.now();
        await conn.query(sql, [`probe ${(n += 1)}`, id]);
        samples.push({ at, ms: Date.now() - at });
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    worst(from, to) {
      const within = samples.filter((s) => s.at + s.ms >= from && s.at <= to);
      return { maxMs: within.reduce((a, s) => Math.max(a, s.ms), 0), samples: within.length };
    },
    stop() {
      running = false;
      stopped ??= loop.catch(() => undefined).then(() => conn.end());
      return stopped;
    },
  };
}
