import { logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { cdcKafka, randomGroupId } from '../../helpers/cdc-stack';
import { waitFor } from '../../helpers/wait-for';

/**
 * kafkajs 2.2.4 against the stack's Kafka 4.x broker, which removed old protocol versions
 * (KIP-896): create a topic (auto-creation is off), produce, consume in a group, commit and
 * read the committed offset back.
 */
describe('kafkajs against the Kafka 4.x broker', () => {
  const kafka = cdcKafka();
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer | undefined;
  const topic = `smoke-${randomGroupId('t')}`;
  const groupId = randomGroupId('smoke');

  beforeAll(async () => {
    admin = kafka.admin();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await admin.connect();
    await producer.connect();
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('produces, consumes in a group, commits and fetches the committed offset', async () => {
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
    await producer.send({ topic, acks: -1, messages: [{ key: 'k1', value: 'one' }, { key: 'k2', value: 'two' }, { key: 'k3', value: 'three' }] });

    const seen: string[] = [];
    consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const active = consumer;
    await active.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        seen.push(message.value?.toString() ?? '');
        await active.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      },
    });
    await waitFor(() => seen.length === 3, { timeoutMs: 60_000, what: 'three messages in the group' });
    expect(seen).toEqual(['one', 'two', 'three']);

    const offsets = await waitFor(async () => {
      const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return result?.partitions[0]?.offset === '3' ? result : undefined;
    }, { timeoutMs: 30_000, what: 'committed offset 3' });
    expect(offsets.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);

    const { groups } = await admin.describeGroups([groupId]);
    expect(groups[0]?.state).toBe('Stable');
  });

  it('refuses to auto-create topics (the stack creates them on purpose)', async () => {
    const ghost = `ghost-${randomGroupId('t')}`;
    // Its expected UNKNOWN_TOPIC errors are not worth logging.
    const impatient = cdcKafka(logLevel.NOTHING).producer({ allowAutoTopicCreation: false, retry: { retries: 1, initialRetryTime: 100 } });
    await impatient.connect();
    try {
      await expect(impatient.send({ topic: ghost, messages: [{ value: 'x' }] })).rejects.toThrow();
    } finally {
      await impatient.disconnect();
    }
    expect(await admin.listTopics()).not.toContain(ghost);
  });
});
