import { decodeRecords, DLQ_HEADERS, markBatch, type ContractMark, type DeadLetterMessage, type RawRecord } from '../../../src/consumers';

function raw(offset: string, value: unknown, topic = 'ixc.ixcprovedor.cliente_contrato'): RawRecord {
  return { topic, partition: 2, offset, key: Buffer.from('{"id":1}'), value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)) };
}
const after = { id: 1, id_cliente: 1, id_vd_contrato: 2, status: 'A', status_internet: 'A' };
const source = { db: 'ixcprovedor', table: 'cliente_contrato', ts_ms: 10 };

describe('markBatch', () => {
  it('dead-letters undecodable records before marking, and marks the rest in one call', async () => {
    const calls: string[] = [];
    const marks: ContractMark[][] = [];
    const letters: DeadLetterMessage[] = [];
    let nudges = 0;
    const result = await markBatch(
      decodeRecords([raw('1', { op: 'c', before: null, after, source }), raw('2', 'not json {'), raw('3', { op: 'u', before: after, after: { ...after, id: 5, status: 'I' }, source }), raw('4', { ts_ms: 99 }, '__debezium-heartbeat.ixc')]),
      {
        query: async () => [],
        markContracts: async (m) => {
          calls.push('mark');
          marks.push(m);
        },
        deadLetter: async (d) => {
          calls.push('dlq');
          letters.push(...d);
        },
        nudge: () => nudges++,
      },
    );
    expect(calls).toEqual(['dlq', 'mark']);
    // Each mark carries the batch's oldest change time (source.ts_ms), for end-to-end latency.
    expect(marks).toEqual([[{ contractId: 1, priority: 100, sourceTsMs: 10 }, { contractId: 5, priority: 100, sourceTsMs: 10 }]]);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.headers).toMatchObject({
      [DLQ_HEADERS.originalTopic]: 'ixc.ixcprovedor.cliente_contrato',
      [DLQ_HEADERS.originalPartition]: '2',
      [DLQ_HEADERS.originalOffset]: '2',
      [DLQ_HEADERS.errorClass]: 'EnvelopeDecodeError',
      [DLQ_HEADERS.errorMessage]: 'value is not JSON',
    });
    expect(letters[0]!.value?.toString()).toBe('not json {');
    expect(nudges).toBe(1);
    expect(result).toMatchObject({ records: 4, marked: 2, deadLettered: 1, skipped: { heartbeat: 1 }, heartbeatTsMs: 99, oldestSourceTsMs: 10 });
  });

  it('marks nothing and does not nudge when the batch has nothing relevant', async () => {
    let marked = false;
    let nudged = false;
    const result = await markBatch(decodeRecords([raw('1', { ts_ms: 1 }, '__debezium-heartbeat.ixc')]), {
      query: async () => [],
      markContracts: async () => {
        marked = true;
      },
      deadLetter: async () => undefined,
      nudge: () => {
        nudged = true;
      },
    });
    expect(marked).toBe(false);
    expect(nudged).toBe(false);
    expect(result.marked).toBe(0);
  });

  it('lets a failing mark propagate so the caller resolves no offset', async () => {
    await expect(
      markBatch(decodeRecords([raw('1', { op: 'c', before: null, after, source })]), {
        query: async () => [],
        markContracts: async () => {
          throw new Error('deadlock');
        },
        deadLetter: async () => undefined,
        nudge: () => undefined,
      }),
    ).rejects.toThrow('deadlock');
  });
});
