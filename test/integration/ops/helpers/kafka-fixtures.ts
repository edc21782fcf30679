import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { loadConfig } from '../../../../src/config/load-config';
import { waitFor } from '../../../helpers/wait-for';

/** A client for the local stack's broker (KAFKA_BROKERS, default 127.0.0.1:19092). */
export function testKafka(clientId = 'ops-test'): Kafka {
  return new Kafka({ clientId, brokers: loadConfig(process.env).kafka.brokers, logLevel: logLevel.NOTHING, retry: { retries: 5 } });
}

export const randomName = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

/** Topic auto-creation is off on the stack's broker: test topics are created on purpose. */
export async function createTestTopic(admin: Admin, partitions = 1): Promise<string> {
  const topic = randomName('ops-test');
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  return topic;
}

/** Produces `count` records per partition; record i of a partition carries timestamp `baseTs + i * stepMs`. */
export async function produceTimed(kafka: Kafka, topic: string, partitions: number, count: number, baseTs: number, stepMs: number): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let p = 0; p < partitions; p += 1) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: count }, (_, i) => ({ partition: p, key: `k${i}`, value: `v${i}`, timestamp: String(baseTs + i * stepMs) })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** A consumer of `groupId` that reads `topic` to its end, commits, and leaves (the "worker resumes"). */
export async function consumeToEnd(kafka: Kafka, admin: Admin, groupId: string, topic: string): Promise<void> {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ autoCommitInterval: 100, eachMessage: async () => undefined });
    const ends = await admin.fetchTopicOffsets(topic);
    await waitFor(
      async () => {
        await consumer.commitOffsets([]).catch(() => undefined);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return ends.every((e) => committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high);
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `${groupId} to commit ${topic} to its end` },
    );
  } finally {
    await consumer.disconnect();
  }
}
