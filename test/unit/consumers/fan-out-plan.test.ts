import { addToFanOutPlan, BULK_CHANGE_ROWS, demoteBulkChanges, emptyFanOutPlan, isEmptyFanOutPlan } from '../../../src/consumers/fan-out-plan';
import type { DecodedRecord, Row } from '../../../src/consumers/decode-change-event';
import { MARK_PRIORITY } from '../../../src/handlers/work-set/work-set-mark';

const position = { topic: 't', partition: 0, offset: '1' };

function change(table: string, op: 'c' | 'u' | 'd' | 'r', before: Row | null, after: Row | null, tsMs = 1000): DecodedRecord {
  return {
    kind: 'change',
    table,
    op,
    key: { id: (after ?? before)?.id },
    before,
    after,
    source: { db: 'ixcprovedor', table, tsMs, snapshot: op === 'r' ? 'true' : null, gtid: null, file: null, pos: null, row: null },
    position,
  };
}

function planOf(...records: DecodedRecord[]) {
  const plan = emptyFanOutPlan();
  for (const r of records) addToFanOutPlan(plan, r);
  return plan;
}

describe('fan-out plan', () => {
  const contract = { id: 7, id_cliente: 3, id_vd_contrato: 2, status: 'A', status_internet: 'A', tipo_produtos_plano: 'P', obs: 'x' };

  it('marks a contract on create, update of a state column, and delete', () => {
    expect([...planOf(change('cliente_contrato', 'c', null, contract)).contracts]).toEqual([[7, MARK_PRIORITY.live]]);
    expect([...planOf(change('cliente_contrato', 'u', contract, { ...contract, status_internet: 'CA' })).contracts]).toEqual([[7, MARK_PRIORITY.live]]);
    expect([...planOf(change('cliente_contrato', 'd', contract, null)).contracts]).toEqual([[7, MARK_PRIORITY.live]]);
  });

  it('skips a contract update that touches no state column', () => {
    const plan = planOf(change('cliente_contrato', 'u', contract, { ...contract, obs: 'changed' }));
    expect(isEmptyFanOutPlan(plan)).toBe(true);
    expect(plan.skipped.get('irrelevant-columns')).toBe(1);
  });

  it('marks snapshot records of contracts at snapshot priority, and only those', () => {
    const plan = planOf(
      change('cliente_contrato', 'r', null, contract),
      change('vd_contratos_produtos', 'r', null, { id: 1, id_contrato: 7, id_vd_contrato: 0, id_produto: 5, qtde: 1 }),
      change('cliente', 'r', null, { id: 3, razao: 'x' }),
    );
    expect([...plan.contracts]).toEqual([[7, MARK_PRIORITY.snapshot]]);
    expect(plan.skipped.get('snapshot-of-non-contract-table')).toBe(2);
  });

  it('keeps the higher priority when a contract is marked twice', () => {
    const plan = planOf(change('cliente_contrato', 'r', null, contract), change('cliente_contrato', 'u', contract, { ...contract, status: 'I' }));
    expect(plan.contracts.get(7)).toBe(MARK_PRIORITY.live);
  });

  it('marks the union of before and after for a line moved between contracts', () => {
    const before = { id: 11, id_contrato: 7, id_vd_contrato: 0, id_produto: 5, qtde: 1 };
    const plan = planOf(change('vd_contratos_produtos', 'u', before, { ...before, id_contrato: 8 }));
    expect([...plan.contracts.keys()].sort()).toEqual([7, 8]);
  });

  it('fans a plan line out to its plan, treating 0 and NULL as no reference', () => {
    const line = { id: 1, id_contrato: 0, id_vd_contrato: 2, id_produto: 5, qtde: 1 };
    expect([...planOf(change('vd_contratos_produtos', 'c', null, line)).plans]).toEqual([[2, MARK_PRIORITY.fanOut]]);
    expect([...planOf(change('vd_contratos_produtos', 'c', null, { ...line, id_contrato: null })).plans]).toEqual([[2, MARK_PRIORITY.fanOut]]);
  });

  it('marks products only when their IoT link or active flag changed', () => {
    const product = { id: 5, descricao: 'Casa', ativo: 'S', id_integracao_iot: 1, id_produto_iot: 'p-casa', valor: '10.00' };
    expect(isEmptyFanOutPlan(planOf(change('produtos', 'u', product, { ...product, valor: '12.00' })))).toBe(true);
    expect([...planOf(change('produtos', 'u', product, { ...product, ativo: 'N' })).products.keys()]).toEqual([5]);
    expect([...planOf(change('produtos', 'u', { ...product, id_produto_iot: null }, product)).products.keys()]).toEqual([5]);
    expect([...planOf(change('produtos', 'u', product, { ...product, id_produto_iot: null })).products.keys()]).toEqual([5]);
    const unlinked = { ...product, id_produto_iot: null, id_integracao_iot: null };
    expect(isEmptyFanOutPlan(planOf(change('produtos', 'u', unlinked, { ...unlinked, ativo: 'N' })))).toBe(true);
  });

  it('marks customers only when a field sent to the platform changed', () => {
    const customer = { id: 3, razao: 'Maria', email: 'a@example.com', obs: '', ultima_atualizacao: '2024-01-01T00:00:00Z' };
    expect(isEmptyFanOutPlan(planOf(change('cliente', 'u', customer, { ...customer, obs: 'note', ultima_atualizacao: 'x' })))).toBe(true);
    expect([...planOf(change('cliente', 'u', customer, { ...customer, email: 'b@example.com' })).customers.keys()]).toEqual([3]);
  });

  it('resolves tombstones by key: contracts directly, lines through the licence tables', () => {
    const plan = planOf(
      { kind: 'tombstone', table: 'cliente_contrato', key: { id: 9 }, position },
      { kind: 'tombstone', table: 'vd_contratos_produtos', key: { id: 13 }, position },
      { kind: 'tombstone', table: 'produtos', key: { id: 5 }, position },
    );
    expect([...plan.contracts.keys()]).toEqual([9]);
    expect([...plan.deletedLines.keys()]).toEqual([13]);
    expect(plan.products.size).toBe(0);
  });

  it('skips and counts heartbeats, schema changes, truncates and unexpected tables', () => {
    const plan = planOf(
      { kind: 'heartbeat', tsMs: 1, position },
      { kind: 'schema-change', position },
      { kind: 'truncate', table: 'cliente', position },
      change('boleto', 'c', null, { id: 1 }),
    );
    expect(isEmptyFanOutPlan(plan)).toBe(true);
    expect(Object.fromEntries(plan.skipped)).toEqual({ heartbeat: 1, 'schema-change': 1, truncate: 1, 'unexpected-table': 1 });
  });

  it('remembers the oldest source time of relevant changes', () => {
    const plan = planOf(change('cliente_contrato', 'c', null, contract, 5000), change('cliente_contrato', 'c', null, { ...contract, id: 8 }, 3000));
    expect(plan.oldestSourceTsMs).toBe(3000);
  });
});

describe('fan-out plan: the IXC change behind each mark', () => {
  const at = (record: DecodedRecord, gtid: string | null, pos = 400): DecodedRecord =>
    record.kind === 'change' ? { ...record, source: { ...record.source, gtid, file: 'mariadb-bin.000002', pos, row: 0 } } : record;
  const product = { id: 12, id_produto_iot: 'OLLI-CAMERA', id_integracao_iot: 1, ativo: 'S' };

  it('keys a change by its transaction (GTID) and names it by the row that fans out furthest', () => {
    const contract = { id: 7, id_cliente: 3, id_vd_contrato: 2, status: 'A', status_internet: 'A', tipo_produtos_plano: 'P' };
    const plan = planOf(
      at(change('cliente_contrato', 'u', contract, { ...contract, status: 'I' }), '0-1-345'),
      at(change('produtos', 'u', product, { ...product, id_produto_iot: null }), '0-1-345'),
    );
    expect([...plan.changes.values()]).toEqual([{ key: 'tx:0-1-345', table: 'produtos', row: '12', rows: 2, transaction: '0-1-345' }]);
    expect(plan.changeOf.get('product:12')).toBe('tx:0-1-345');
    expect(plan.changeOf.get('contract:7')).toBe('tx:0-1-345');
  });

  it('without a GTID, a fan-out row is its own change and a direct contract row has none', () => {
    const contract = { id: 7, id_cliente: 3, id_vd_contrato: 2, status: 'A', status_internet: 'A', tipo_produtos_plano: 'P' };
    const plan = planOf(at(change('produtos', 'u', product, { ...product, ativo: 'N' }), null), at(change('cliente_contrato', 'u', contract, { ...contract, status: 'I' }), null));
    expect([...plan.changes.keys()]).toEqual(['row:produtos:12@mariadb-bin.000002:400:0']);
    expect(plan.changeOf.has('contract:7')).toBe(false);
  });

  it('snapshot reads belong to no change', () => {
    const contract = { id: 7, id_cliente: 3, id_vd_contrato: 2, status: 'A', status_internet: 'A', tipo_produtos_plano: 'P' };
    expect(planOf(at(change('cliente_contrato', 'r', null, contract), '0-1-9')).changes.size).toBe(0);
  });
});

describe('fan-out plan: one transaction changing many contracts yields to single changes', () => {
  const contractRow = (id: number) => ({ id, id_cliente: 3, id_vd_contrato: 2, status: 'A', status_internet: 'A', tipo_produtos_plano: 'P' });
  const update = (id: number, gtid: string): DecodedRecord => {
    const record = change('cliente_contrato', 'u', contractRow(id), { ...contractRow(id), status_internet: 'CA' });
    return record.kind === 'change' ? { ...record, source: { ...record.source, gtid } } : record;
  };

  it('marks a billing run at fan-out priority and a change committed beside it at live priority', () => {
    const billing = Array.from({ length: BULK_CHANGE_ROWS }, (_, i) => update(100 + i, '0-1-500'));
    const plan = planOf(...billing, update(7, '0-1-501'));
    demoteBulkChanges(plan);
    expect(plan.contracts.get(7)).toBe(MARK_PRIORITY.live);
    expect(new Set(billing.map((_, i) => plan.contracts.get(100 + i)))).toEqual(new Set([MARK_PRIORITY.fanOut]));
  });

  it('leaves a transaction of fewer rows, and snapshot reads, as they were', () => {
    const small = Array.from({ length: BULK_CHANGE_ROWS - 1 }, (_, i) => update(100 + i, '0-1-500'));
    const plan = planOf(...small, change('cliente_contrato', 'r', null, contractRow(7)));
    demoteBulkChanges(plan);
    expect(new Set(plan.contracts.values())).toEqual(new Set([MARK_PRIORITY.live, MARK_PRIORITY.snapshot]));
    expect(plan.contracts.get(7)).toBe(MARK_PRIORITY.snapshot);
  });
});
