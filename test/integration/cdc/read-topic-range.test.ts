import type { Admin, Kafka } from 'kafkajs';
import { readTopicRange } from '../../../src/ops/read-topic-range';
import { createTestTopic, randomName, testKafka } from '../ops/helpers/kafka-fixtures';

/**
 * A range longer than one fetch (1 MiB per partition): every offset is handed over exactly once
 * and the read ends. `replay`, `dlq` and the lag probe all read through it.
 */
describe('readTopicRange over several fetches', () => {
  const RECORDS = 3000;
  let kafka: Kafka;
  let admin: Admin;
  let topic: string;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    topic = await createTestTopic(admin, 1);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const padding = 'x'.repeat(1024);
    for (let i = 0; i < RECORDS; i += 500) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: 500 }, (_, j) => ({ key: String(i + j), value: `${i + j}:${padding}` })) });
    }
    await producer.disconnect();
  });

  afterAll(async () => {
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  const read = async (from: number, to: number): Promise<{ offsets: number[]; unfinished: number; records: number }> => {
    const offsets: number[] = [];
    const result = await readTopicRange(
      { kafka, admin },
      {
        groupId: randomName('range-test'),
        ranges: [{ topic, partition: 0, from: String(from), to: String(to) }],
        timeoutMs: 60_000,
        onRecords: (records) => {
          offsets.push(...records.map((r) => Number(r.offset)));
        },
      },
    );
    return { offsets, unfinished: result.unfinished.length, records: result.records };
  };

  it('reads all of a 3 MiB partition once, in order, and stops at its end', async () => {
    const { offsets, unfinished, records } = await read(0, RECORDS);
    expect(unfinished).toBe(0);
    expect(records).toBe(RECORDS);
    expect(offsets).toEqual(Array.from({ length: RECORDS }, (_, i) => i));
  });

  it('reads a middle slice spanning fetches, nothing outside it', async () => {
    const { offsets, unfinished } = await read(700, 2600);
    expect(unfinished).toBe(0);
    expect(offsets).toEqual(Array.from({ length: 1900 }, (_, i) => 700 + i));
  });
});
