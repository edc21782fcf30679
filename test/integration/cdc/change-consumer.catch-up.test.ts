import { logLevel } from 'kafkajs';
import { createChangeConsumer, type ChangeConsumer } from '../../../src/consumers/create-change-consumer';
import { cdcKafka, createTestTopic, randomGroupId, type TestTopic } from '../../helpers/cdc-stack';
import { waitFor } from '../../helpers/wait-for';

/**
 * The catch-up hold on a real broker: while more records than the threshold wait behind the chunk
 * being handled, the reconcile slots are held back (a burst coalesces: a contract changed ten
 * times is reconciled once), and they are released when the consumer is within the threshold.
 * A snapshot's backlog holds them too: letting them reconcile while a snapshot was consumed was
 * tried and measured slower on two cores (docs/benchmarks.md § Scale).
 */
describe('change consumer catch-up hold', () => {
  const kafka = cdcKafka(logLevel.NOTHING);
  const groupId = randomGroupId('catch-up');
  let testTopic: TestTopic;
  let consumer: ChangeConsumer | undefined;

  beforeAll(async () => {
    const row = (id: number, status: string) => ({ id, status, status_internet: 'A', id_cliente: 1, id_vd_contrato: 0, tipo_produtos_plano: 'P' });
    const read = (id: number) => JSON.stringify({ before: null, after: row(id, 'A'), source: { db: 'db', table: 'cliente_contrato', snapshot: 'true' }, op: 'r' });
    const update = (id: number) => JSON.stringify({ before: row(id, 'A'), after: row(id, 'I'), source: { db: 'db', table: 'cliente_contrato' }, op: 'u' });
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    testTopic = await createTestTopic(kafka, [...ids.map((id) => ({ key: JSON.stringify({ id }), value: read(id) })), ...ids.map((id) => ({ key: JSON.stringify({ id }), value: update(id) }))]);
  });

  afterAll(async () => {
    await consumer?.stop();
    await testTopic.remove();
  });

  it('holds while the backlog is above the threshold, for snapshot reads and changes alike, and releases within it', async () => {
    const seen: Array<{ op: string; backlog: number; catchingUp: boolean }> = [];
    consumer = createChangeConsumer(
      {
        kafka,
        handler: async (chunk) => {
          const first = chunk.decoded[0];
          const op = first?.ok && first.record.kind === 'change' ? first.record.op : '?';
          seen.push({ op, backlog: consumer!.backlog(), catchingUp: consumer!.catchingUp() });
        },
      },
      { groupId, topics: [testTopic.topic], chunkSize: 5, fromBeginning: true, catchUp: { backlog: 10, slots: 1 } },
    );
    await consumer.start();
    await waitFor(async () => {
      const [committed] = await testTopic.admin.fetchOffsets({ groupId, topics: [testTopic.topic] });
      return committed?.partitions[0]?.offset === '80';
    }, { timeoutMs: 60_000, what: 'committed offset 80' });

    const reads = seen.filter((s) => s.op === 'r');
    const updates = seen.filter((s) => s.op === 'u');
    expect(reads).toHaveLength(8);
    // Behind every snapshot chunk wait more than 10 records: all held.
    expect(reads.every((s) => s.backlog > 10 && s.catchingUp)).toBe(true);
    // The changes' chunks with more than 10 behind them hold; the last two (10 and 5 behind, 0) do not.
    expect(updates.map((s) => s.catchingUp)).toEqual([true, true, true, true, true, false, false, false]);
  });
});
