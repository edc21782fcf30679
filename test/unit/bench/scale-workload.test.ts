import { applyStep, buildScaleWorkload, initialLinks, iotLinesOf, type PlatformModel } from '../../../bench/scale-workload';

describe('scale bench workload', () => {
  const w = buildScaleWorkload(20_000);
  const iot = iotLinesOf(w, initialLinks(w));

  it('has the shape issue 18 asks for: ~0.9 customers and 3 own lines per contract, ~10 % IoT, shared plans', () => {
    expect(w.contracts).toHaveLength(20_000);
    expect(w.customers.length / w.contracts.length).toBeGreaterThan(0.85);
    expect(w.customers.length / w.contracts.length).toBeLessThan(0.95);
    expect(w.lines).toHaveLength(60_000);
    expect(iot.size / w.contracts.length).toBeGreaterThan(0.08);
    expect(iot.size / w.contracts.length).toBeLessThan(0.12);
    const perCustomer = new Map<number, number>();
    for (const c of w.contracts) perCustomer.set(c.id_cliente, (perCustomer.get(c.id_cliente) ?? 0) + 1);
    expect([...perCustomer.values()].some((n) => n >= 3)).toBe(true);
    expect(new Set(w.contracts.map((c) => c.id_vd_contrato)).size).toBe(w.plans.length);
    expect(w.lines.filter((l) => l.id_produto === w.catalogueProduct.id)).toHaveLength(2_000);
  });

  it('is deterministic and keeps the probe contract out of every IoT path', () => {
    expect(buildScaleWorkload(20_000).contracts).toEqual(w.contracts);
    expect(iot.has(w.probe.contract)).toBe(false);
    expect(w.lines.some((l) => l.id_contrato === w.probe.contract && l.id_produto === w.catalogueProduct.id)).toBe(false);
  });

  it('counts the fewest calls: creates for active IoT contracts, status calls per suspension, none for the rest', () => {
    const model: PlatformModel = { customers: new Set(), subscriptions: new Map() };
    const first = applyStep(model, w.contracts, iot);
    const active = w.contracts.filter((c) => c.status === 'A' && c.status_internet === 'A' && iot.has(c.id));
    expect(first.subscriptionCreates).toBe(active.length);
    expect(first.customerCreates).toBe(new Set(active.map((c) => c.id_cliente)).size);
    expect(first.customerFinds).toBe(2 * first.customerCreates);
    expect(first.licenceCreates).toBe(active.reduce((a, c) => a + iot.get(c.id)!.size, 0));
    expect(applyStep(model, w.contracts, iot).total).toBe(0);
    const blocked = active.slice(0, 10).map((c) => ({ ...c, status_internet: 'CA' }));
    const licences = blocked.reduce((a, c) => a + iot.get(c.id)!.size, 0);
    expect(applyStep(model, blocked, iot)).toMatchObject({ statusChanges: 10, licenceStatusChanges: licences, total: 10 + licences });
  });
});
