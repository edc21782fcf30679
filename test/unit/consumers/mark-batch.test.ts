import { decodeRecords, type RawRecord } from '../../../src/consumers/decode-change-event';
import { DLQ_HEADERS, type DeadLetterMessage } from '../../../src/consumers/dead-letter';
import { markBatch, markWrites } from '../../../src/consumers/mark-batch';
import { MARK_PRIORITY, type ContractMark, type MarkOptions } from '../../../src/handlers/work-set/work-set-mark';

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
        mark: async (m) => {
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
      mark: async () => {
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
        mark: async () => {
          throw new Error('deadlock');
        },
        deadLetter: async () => undefined,
        nudge: () => undefined,
      }),
    ).rejects.toThrow('deadlock');
  });

  it('dead-letters records whose ids or source time do not fit the work set, and marks the rest', async () => {
    const marks: ContractMark[][] = [];
    const letters: DeadLetterMessage[] = [];
    const result = await markBatch(
      decodeRecords([
        raw('1', { op: 'c', before: null, after, source }),
        raw('2', { op: 'c', before: null, after: { ...after, id: 5_000_000_000 }, source }),
        raw('3', { op: 'c', before: null, after: { ...after, id: 7 }, source: { ...source, ts_ms: 1e30 } }),
        raw('4', { op: 'u', before: { ...after, id: 8 }, after: { ...after, id: 8, id_cliente: '99999999999' }, source }),
        raw('5', { op: 'c', before: null, after: { ...after, id: 9 }, source }),
      ]),
      { query: async () => [], mark: async (m) => void marks.push(m), deadLetter: async (d) => void letters.push(...d), nudge: () => undefined },
    );
    expect(marks).toEqual([[{ contractId: 1, priority: 100, sourceTsMs: 10 }, { contractId: 9, priority: 100, sourceTsMs: 10 }]]);
    expect(letters.map((l) => [l.headers[DLQ_HEADERS.originalOffset], l.headers[DLQ_HEADERS.errorMessage]])).toEqual([
      ['2', 'id 5000000000 is out of range for an int unsigned id (max 4294967295)'],
      ['3', 'source.ts_ms 1e+30 is out of range (0-253402300799999)'],
      // The reason is masked like every DLQ message: an 11-digit value reads as a CPF.
      ['4', 'id_cliente "999.***.***-99" is out of range for an int unsigned id (max 4294967295)'],
    ]);
    expect(result).toMatchObject({ records: 5, marked: 2, deadLettered: 3 });
  });

  it('isolates a batch whose marking fails on a value the database refuses: only that record is dead-lettered', async () => {
    const outOfRange = Object.assign(new Error("Out of range value for column 'contract_id' at row 2"), { errno: 1264 });
    const marked: number[] = [];
    const letters: DeadLetterMessage[] = [];
    const result = await markBatch(
      decodeRecords([1, 2, 3].map((id) => raw(String(id), { op: 'c', before: null, after: { ...after, id }, source }))),
      {
        query: async () => [],
        mark: async (m) => {
          if (m.some((x) => x.contractId === 2)) throw outOfRange;
          marked.push(...m.map((x) => x.contractId));
        },
        deadLetter: async (d) => void letters.push(...d),
        nudge: () => undefined,
      },
    );
    expect(marked).toEqual([1, 3]);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.headers).toMatchObject({ [DLQ_HEADERS.originalOffset]: '2', [DLQ_HEADERS.errorClass]: 'UnfitRecordError' });
    expect(letters[0]!.headers[DLQ_HEADERS.errorMessage]).toContain('Out of range value');
    expect(result).toMatchObject({ marked: 2, deadLettered: 1 });
  });

  it('writes Kafka Connect error headers, which existing DLQ tooling reads', () => {
    expect(DLQ_HEADERS).toMatchObject({
      originalTopic: '__connect.errors.topic',
      originalPartition: '__connect.errors.partition',
      originalOffset: '__connect.errors.offset',
      errorClass: '__connect.errors.exception.class.name',
      errorMessage: '__connect.errors.exception.message',
    });
  });

  it('un-parks only for a change: a snapshot read of a contract is marked without un-parking it', async () => {
    const calls: Array<[number[], MarkOptions]> = [];
    await markBatch(
      decodeRecords([
        raw('1', { op: 'r', before: null, after: { ...after, id: 3 }, source: { ...source, snapshot: 'true' } }),
        raw('2', { op: 'u', before: after, after: { ...after, status: 'I' }, source }),
      ]),
      { query: async () => [], mark: async (m, o) => void calls.push([m.map((x) => x.contractId), o]), deadLetter: async () => undefined, nudge: () => undefined },
    );
    expect(calls).toEqual([
      [[1], { unpark: true }],
      [[3], { unpark: false }],
    ]);
  });

  it('marks each contract once per replay, at replay priority, for a verify reconcile', async () => {
    const calls: Array<[ContractMark[], MarkOptions]> = [];
    const replayed = new Set<number>();
    const deps = { query: async () => [], mark: async (m: ContractMark[], o: MarkOptions) => void calls.push([m, o]), deadLetter: async () => undefined, nudge: () => undefined, replayed };
    await markBatch(decodeRecords([raw('1', { op: 'c', before: null, after, source })]), deps);
    await markBatch(decodeRecords([raw('2', { op: 'u', before: after, after: { ...after, status: 'I' }, source }), raw('3', { op: 'c', before: null, after: { ...after, id: 4 }, source })]), deps);
    expect(calls).toEqual([
      [[{ contractId: 1, priority: MARK_PRIORITY.replay }], { unpark: false, verify: true }],
      [[{ contractId: 4, priority: MARK_PRIORITY.replay }], { unpark: false, verify: true }],
    ]);
    expect([...replayed]).toEqual([1, 4]);
  });
});

describe('markWrites (the marking rules)', () => {
  const mark = (contractId: number, priority: number): ContractMark => ({ contractId, priority });
  it.each([
    ['a live change un-parks', [mark(1, MARK_PRIORITY.live)], [{ ids: [1], options: { unpark: true } }]],
    ['fan-out un-parks', [mark(1, MARK_PRIORITY.fanOut)], [{ ids: [1], options: { unpark: true } }]],
    ['a snapshot read does not', [mark(1, MARK_PRIORITY.snapshot)], [{ ids: [1], options: { unpark: false } }]],
    ['nor does replay priority', [mark(1, MARK_PRIORITY.replay)], [{ ids: [1], options: { unpark: false } }]],
    [
      'a mixed batch is written in two calls, changes first',
      [mark(1, MARK_PRIORITY.snapshot), mark(2, MARK_PRIORITY.live), mark(3, MARK_PRIORITY.snapshot)],
      [{ ids: [2], options: { unpark: true } }, { ids: [1, 3], options: { unpark: false } }],
    ],
    ['nothing to mark, no call', [], []],
  ])('%s', (_name, marks, expected) => {
    expect(markWrites(marks).map((w) => ({ ids: w.marks.map((m) => m.contractId), options: w.options }))).toEqual(expected);
  });

  it('in a replay: only contracts not yet replayed, at replay priority, in verify mode, never un-parking', () => {
    const writes = markWrites([mark(1, MARK_PRIORITY.live), mark(2, MARK_PRIORITY.snapshot)], new Set([2]));
    expect(writes).toEqual([{ marks: [{ contractId: 1, priority: MARK_PRIORITY.replay }], options: { unpark: false, verify: true } }]);
    expect(markWrites([mark(2, MARK_PRIORITY.live)], new Set([2]))).toEqual([]);
  });
});
