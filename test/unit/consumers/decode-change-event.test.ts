import { decodeChangeEvent, type RawRecord } from '../../../src/consumers/decode-change-event';
import { EnvelopeDecodeError } from '../../../src/consumers/errors';

const TOPIC = 'ixc.ixcprovedor.cliente_contrato';

function record(value: unknown, key: unknown = { id: 42 }, topic = TOPIC): RawRecord {
  return {
    topic,
    partition: 0,
    offset: '17',
    key: key === null ? null : Buffer.from(JSON.stringify(key)),
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  };
}

const source = {
  version: '3.6.1.Final',
  connector: 'mariadb',
  name: 'ixc',
  ts_ms: 1704164645000,
  snapshot: 'false',
  db: 'ixcprovedor',
  table: 'cliente_contrato',
  server_id: 1,
  gtid: '0-1-6',
  file: 'mariadb-bin.000001',
  pos: 1234,
  row: 0,
};

const row = {
  id: 42,
  id_cliente: 7,
  status: 'A',
  status_internet: 'A',
  valor_unitario: '99.900000000',
  data: '2024-01-02Z',
  ultima_atualizacao: '2024-01-02T03:04:05Z',
};

describe('decodeChangeEvent', () => {
  it.each([
    ['c', null, row],
    ['r', null, row],
    ['u', { ...row, status: 'P' }, row],
  ] as const)('decodes op %s with table, key, rows and source position', (op, before, after) => {
    const event = decodeChangeEvent(record({ before, after, source, op, ts_ms: 1 }));
    expect(event).toMatchObject({
      kind: 'change',
      table: 'cliente_contrato',
      op,
      key: { id: 42 },
      before,
      after,
      position: { topic: TOPIC, partition: 0, offset: '17' },
      source: { db: 'ixcprovedor', table: 'cliente_contrato', gtid: '0-1-6', file: 'mariadb-bin.000001', pos: 1234, row: 0, tsMs: 1704164645000, snapshot: null },
    });
  });

  it('decodes a delete carrying only before', () => {
    const event = decodeChangeEvent(record({ before: row, after: null, source, op: 'd' }));
    expect(event).toMatchObject({ kind: 'change', op: 'd', before: row, after: null, key: { id: 42 } });
  });

  it('keeps decimals as strings and ISO times as the connector emits them', () => {
    const event = decodeChangeEvent(record({ before: null, after: row, source, op: 'c' }));
    if (event.kind !== 'change') throw new Error('expected a change');
    expect(event.after?.valor_unitario).toBe('99.900000000');
    expect(event.after?.data).toBe('2024-01-02Z');
    expect(event.after?.ultima_atualizacao).toBe('2024-01-02T03:04:05Z');
  });

  it('reads the snapshot marker of op r records', () => {
    const event = decodeChangeEvent(record({ before: null, after: row, source: { ...source, snapshot: 'last' }, op: 'r' }));
    expect(event).toMatchObject({ kind: 'change', source: { snapshot: 'last' } });
  });

  it('classifies a tombstone (null value) with its key and table from the topic', () => {
    expect(decodeChangeEvent(record(null, { id: 42 }))).toEqual({
      kind: 'tombstone',
      table: 'cliente_contrato',
      key: { id: 42 },
      position: { topic: TOPIC, partition: 0, offset: '17' },
    });
  });

  it('classifies heartbeats', () => {
    const event = decodeChangeEvent(record({ ts_ms: 1704164645000 }, { serverName: 'ixc' }, '__debezium-heartbeat.ixc'));
    expect(event).toEqual({ kind: 'heartbeat', tsMs: 1704164645000, position: { topic: '__debezium-heartbeat.ixc', partition: 0, offset: '17' } });
  });

  it('classifies schema-change records', () => {
    const value = { source, databaseName: 'ixcprovedor', ddl: 'ALTER TABLE cliente ADD x int', tableChanges: [] };
    expect(decodeChangeEvent(record(value, { databaseName: 'ixcprovedor' }, 'ixc')).kind).toBe('schema-change');
  });

  it('classifies truncates', () => {
    expect(decodeChangeEvent(record({ before: null, after: null, source, op: 't' })).kind).toBe('truncate');
  });

  it.each([
    ['malformed JSON', record('{"op": "c", '), 'value is not JSON'],
    ['a non-object value', record('[1,2]'), 'value is not a JSON object'],
    ['a create without after', record({ before: null, after: null, source, op: 'c' }), 'op c without "after"'],
    ['a delete without before', record({ before: null, after: null, source, op: 'd' }), 'op d without "before"'],
    ['an unknown op', record({ before: null, after: row, source, op: 'x' }), 'unknown op "x"'],
    ['a missing op', record({ before: null, after: row, source }), 'unknown op undefined'],
    ['a row that is not an object', record({ before: null, after: 'oops', source, op: 'c' }), '"after" is not an object'],
  ])('throws a typed error naming topic, partition and offset for %s', (_name, raw, reason) => {
    let thrown: unknown;
    try {
      decodeChangeEvent(raw);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(EnvelopeDecodeError);
    const err = thrown as EnvelopeDecodeError;
    expect(err.reason).toBe(reason);
    expect(err.position).toEqual({ topic: TOPIC, partition: 0, offset: '17' });
    expect(err.message).toContain(`${TOPIC}[0]@17`);
    expect(err.retriable).toBe(false);
  });

  it('rejects a tombstone without a key', () => {
    expect(() => decodeChangeEvent(record(null, null))).toThrow(EnvelopeDecodeError);
  });

  it('derives the key from the row when the record has none', () => {
    const event = decodeChangeEvent(record({ before: null, after: row, source, op: 'c' }, null));
    expect(event).toMatchObject({ kind: 'change', key: { id: 42 } });
  });
});
