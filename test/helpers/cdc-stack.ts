import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Message } from 'kafkajs';
import mysql from 'mysql2/promise';
import { loadConfig } from '../../src/config/load-config';
import type { AppConfig } from '../../src/config/app-config';
import { createChangeConsumer } from '../../src/consumers/create-change-consumer';
import type { ConsumedRecord } from '../../src/consumers/decode-change-event';
import { createLocalStack, type LocalStack } from '../../src/stack/local-stack';

/** The configuration the stack and the CDC tests share (environment overrides apply, as for the CLI). */
export function cdcConfig(): Readonly<AppConfig> {
  return loadConfig(process.env);
}

export function createCdcStack(report?: (line: string) => void): LocalStack {
  return createLocalStack(cdcConfig(), report ? { report } : {});
}

export function cdcKafka(level: logLevel = logLevel.ERROR): Kafka {
  const config = cdcConfig();
  return new Kafka({ clientId: `ixc-iot-sync-test-${randomBytes(3).toString('hex')}`, brokers: config.kafka.brokers, logLevel: level });
}

/** Root on the stack's MariaDB (the captured server), default database `ixcprovedor`. */
export function cdcDatabase(): Promise<mysql.Connection> {
  const config = cdcConfig();
  return mysql.createConnection({
    host: '127.0.0.1',
    port: config.stack.dbPort,
    user: 'root',
    password: '',
    database: config.db.ixcDatabase,
    multipleStatements: true,
    dateStrings: true,
  });
}

export function randomGroupId(prefix = 'test'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

export interface CollectedChanges {
  /** Everything the handler received so far, in arrival order. */
  readonly records: ConsumedRecord[];
  stop(): Promise<void>;
}

/** Runs the project's change consumer in a fresh random group and collects what its handler receives. */
export async function collectChanges(kafka: Kafka, topics: string[], chunkSize = 50): Promise<CollectedChanges> {
  const records: ConsumedRecord[] = [];
  const consumer = createChangeConsumer(
    { kafka, handler: async (chunk) => void records.push(...chunk.decoded) },
    { groupId: randomGroupId('cdc'), topics, chunkSize, fromBeginning: true },
  );
  await consumer.start();
  return { records, stop: () => consumer.stop() };
}

export interface TestTopic {
  topic: string;
  admin: Admin;
  /** Deletes the topic and disconnects the admin client. */
  remove(): Promise<void>;
}

/**
 * A one-partition topic of its own on the stack's broker, named like a Debezium contract topic,
 * holding `messages` (written with acks from all replicas) before the test reads it.
 */
export async function createTestTopic(kafka: Kafka, messages: Message[]): Promise<TestTopic> {
  const topic = `test.${randomGroupId('db')}.cliente_contrato`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
  return {
    topic,
    admin,
    async remove() {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
