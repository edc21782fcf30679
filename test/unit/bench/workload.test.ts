import { minimumApiCalls } from '../../../bench/minimum-calls';
import { percentile } from '../../../bench/stats';
import { buildWorkload, type Workload } from '../../../bench/workload';

describe('bench workload', () => {
  const workload = buildWorkload({ contracts: 300, events: 3_001, base: 5_000_000, seed: 3 });

  it('holds exactly the requested events, a snapshot read of every contract, and duplicates right after their original', () => {
    expect(workload.events).toHaveLength(3_001);
    const snapshots = new Set(workload.events.filter((e) => e.op === 'r' && !e.duplicate).map((e) => e.contractId));
    expect(snapshots.size).toBe(300);
    const byContract = new Map<number, typeof workload.events>();
    for (const e of workload.events) byContract.set(e.contractId, [...(byContract.get(e.contractId) ?? []), e]);
    for (const stream of byContract.values()) {
      stream.forEach((e, i) => {
        if (e.duplicate) expect(e).toEqual({ ...stream[i - 1], duplicate: true });
      });
    }
    expect(workload.events.some((e) => e.duplicate)).toBe(true);
  });

  it('the last record touching a row carries the row as loaded into MariaDB', () => {
    const last = new Map<string, Record<string, unknown>>();
    for (const e of workload.events) last.set(`${e.table}:${e.rowId}`, e.after);
    for (const c of workload.contracts) expect(last.get(`cliente_contrato:${c.id}`)).toMatchObject({ status: c.status, status_internet: c.status_internet });
    // A line without any record is one the workload never captured: its final row would never reach the worker.
    const lines = workload.lines.map((l) => ({ id: l.id, last: last.get(`vd_contratos_produtos:${l.id}`) ?? 'no record' }));
    expect(lines).toEqual(workload.lines.map((l) => ({ id: l.id, last: expect.objectContaining({ qtde: l.qtde, id_contrato: l.id_contrato }) })));
  });

  it('is deterministic for a seed', () => {
    const again = buildWorkload({ contracts: 300, events: 3_001, base: 5_000_000, seed: 3 });
    expect(again.events).toEqual(workload.events);
  });
});

describe('minimum API calls', () => {
  it('counts only active contracts with an IoT line: two searches (document, e-mail) and one create per customer, a subscription and one licence per product', () => {
    const base = buildWorkload({ contracts: 1, events: 1, base: 1_000, seed: 1 });
    const [casa, camera] = base.products.map((p) => p.id) as [number, number];
    const [withCasa, internetOnly] = base.plans.map((p) => p.id) as [number, number];
    const w: Workload = {
      ...base,
      contracts: [
        { id: 1, id_cliente: 10, id_vd_contrato: withCasa, status: 'A', status_internet: 'A' },
        { id: 2, id_cliente: 10, id_vd_contrato: internetOnly, status: 'A', status_internet: 'A' },
        { id: 3, id_cliente: 11, id_vd_contrato: withCasa, status: 'A', status_internet: 'CM' },
        { id: 4, id_cliente: 12, id_vd_contrato: internetOnly, status: 'I', status_internet: 'A' },
      ],
      lines: [
        { id: 21, id_contrato: 1, id_vd_contrato: 0, id_produto: camera, qtde: 2 },
        { id: 22, id_contrato: 2, id_vd_contrato: 0, id_produto: camera, qtde: 1 },
        { id: 23, id_contrato: 2, id_vd_contrato: 0, id_produto: camera, qtde: 3 },
        { id: 24, id_contrato: 4, id_vd_contrato: 0, id_produto: casa, qtde: 1 },
      ],
    };
    const m = minimumApiCalls(w);
    expect(m).toMatchObject({ token: 1, customerFinds: 2, customerCreates: 1, subscriptionCreates: 2, licences: 3, total: 9 });
    expect(m.desired.get(2)).toEqual(new Map([['OLLI-CAMERA', 4]]));
    expect(m.desired.has(3)).toBe(false);
  });

  it('percentile is nearest-rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(percentile([], 50)).toBeNaN();
  });
});
