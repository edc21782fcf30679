import { logLevel } from 'kafkajs';
import { createChangeConsumer, type ChangeConsumer } from '../../../src/consumers/create-change-consumer';
import { cdcKafka, createTestTopic, randomGroupId, type TestTopic } from '../../helpers/cdc-stack';
import { waitFor } from '../../helpers/wait-for';

/**
 * The consumer's contract on a real broker: offsets are resolved only after the handler resolved
 * for a chunk, and a chunk whose handler threw is delivered again (at-least-once), in order.
 */
describe('change consumer offsets', () => {
  // The purposely failing handler would be logged by kafkajs as an error.
  const kafka = cdcKafka(logLevel.NOTHING);
  const groupId = randomGroupId('offsets');
  let testTopic: TestTopic;
  let consumer: ChangeConsumer | undefined;

  beforeAll(async () => {
    const change = (id: number) => JSON.stringify({ before: null, after: { id }, source: { db: 'db', table: 'cliente_contrato' }, op: 'c' });
    testTopic = await createTestTopic(kafka, [1, 2, 3, 4].map((id) => ({ key: JSON.stringify({ id }), value: change(id) })));
  });

  afterAll(async () => {
    await consumer?.stop();
    await testTopic.remove();
  });

  it('commits a chunk only after its handler resolved, and redelivers a chunk whose handler threw', async () => {
    const calls: Array<{ offsets: string[]; ids: unknown[]; committedBefore: string; outcome: 'threw' | 'ok' }> = [];
    consumer = createChangeConsumer(
      {
        kafka,
        handler: async (chunk) => {
          const [committed] = await testTopic.admin.fetchOffsets({ groupId, topics: [testTopic.topic] });
          const call = {
            offsets: chunk.raw.map((r) => r.offset),
            ids: chunk.decoded.map((d) => (d.ok && d.record.kind === 'change' ? d.record.key.id : null)),
            committedBefore: committed?.partitions[0]?.offset ?? '-1',
            outcome: 'ok' as 'threw' | 'ok',
          };
          calls.push(call);
          if (calls.length === 1) {
            call.outcome = 'threw';
            throw new Error('handler failed on purpose');
          }
        },
      },
      { groupId, topics: [testTopic.topic], chunkSize: 2, fromBeginning: true },
    );
    await consumer.start();

    await waitFor(async () => {
      const [committed] = await testTopic.admin.fetchOffsets({ groupId, topics: [testTopic.topic] });
      return committed?.partitions[0]?.offset === '4';
    }, { timeoutMs: 60_000, what: 'committed offset 4' });

    expect(calls[0]).toMatchObject({ offsets: ['0', '1'], ids: [1, 2], outcome: 'threw' });
    const succeeded = calls.filter((c) => c.outcome === 'ok');
    expect(succeeded.map((c) => c.offsets)).toEqual([['0', '1'], ['2', '3']]);
    expect(succeeded.map((c) => c.ids)).toEqual([[1, 2], [3, 4]]);
    // Nothing was committed past a chunk before its handler had resolved.
    for (const call of calls) expect(BigInt(call.committedBefore)).toBeLessThanOrEqual(BigInt(call.offsets[0] as string));
  });
});
