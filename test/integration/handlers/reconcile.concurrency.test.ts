import { LeaseLostError } from '../../../src/handlers/errors';
import { reconcileContract } from '../../../src/handlers/reconcile-contract';
import { createReconcileSlots } from '../../../src/handlers/reconcile-slots';
import { createWorkSet } from '../../../src/handlers/work-set/work-set';
import { useReconcileWorld, sandboxObjects, type ReconcileWorld } from '../../helpers/reconcile-harness';
import type { SandboxProcess } from '../../helpers/sandbox-process';
import { waitFor } from '../../helpers/wait-for';


// Real processes and HTTP round trips: jest's 5 s default is too short (testTimeout is not per project).
jest.setTimeout(120_000);
describe('reconcile: racing workers, marks during a run, expired leases', () => {
  let sandbox: SandboxProcess;
  let w: ReconcileWorld;

  useReconcileWorld((s, world) => {
    sandbox = s;
    w = world;
  });

  it('two contracts of one customer reconciled at once by two workers create one customer', async () => {
    // Slow searches make both find-or-creates overlap; only the named lock keeps them apart.
    await sandbox.admin.setFault('GET /customers', { latencyMs: 300 });
    await w.workSet.mark([{ contractId: 1, priority: 100 }, { contractId: 9, priority: 100 }]);
    const a = w.slots({ owner: 'worker-a', concurrency: 1 });
    const b = w.slots({ owner: 'worker-b', concurrency: 1 });
    const claimedBy = new Set<string>();
    for (const slots of [a, b]) slots.events.on('reconcile:success', () => claimedBy.add(slots.owner));
    a.start();
    b.start();
    await waitFor(async () => Number((await w.sync(`SELECT COUNT(*) AS n FROM contract_sync WHERE dirty = 0`))[0]?.n) === 2, { what: 'both contracts clean' });
    await Promise.all([a.stop(), b.stop()]);
    expect(claimedBy).toEqual(new Set(['worker-a', 'worker-b']));
    const platform = await sandboxObjects(sandbox);
    expect(platform.customers).toHaveLength(1);
    expect(platform.subscriptions).toHaveLength(2);
    expect(new Set(platform.subscriptions.map((s) => s.customer_id))).toEqual(new Set([platform.customers[0]?.id]));
    expect((await sandbox.admin.state()).requestCounts['POST /customers']).toBe(1);
  });

  it('a contract marked again while it is being reconciled is reconciled again, not lost', async () => {
    await sandbox.admin.setFault('POST /subscriptions/{id}/licenses', { latencyMs: 600, remaining: 1 });
    const slots = w.slots({ concurrency: 1 });
    const results: Array<{ newerGeneration: boolean }> = [];
    slots.events.on('reconcile:success', (e) => results.push(e));
    await w.workSet.mark([{ contractId: 1, priority: 100 }]);
    slots.start();
    await waitFor(async () => (await w.sync(`SELECT lease_owner FROM contract_sync WHERE contract_id = 1`))[0]?.lease_owner, { what: 'contract 1 claimed' });
    // The change lands mid-reconcile: the first run read quantity 1.
    await w.ixc(`UPDATE vd_contratos_produtos SET qtde = 4 WHERE id = 13`);
    await w.workSet.mark([{ contractId: 1, priority: 100 }]);
    await waitFor(async () => results.length >= 2 && Number((await w.sync(`SELECT dirty FROM contract_sync WHERE contract_id = 1`))[0]?.dirty) === 0, {
      what: 'second reconcile',
    });
    await slots.stop();
    expect(results[0]?.newerGeneration).toBe(true);
    const sensor = (await sandboxObjects(sandbox)).licences.find((l) => l.items[0]?.product_id === 'OLLI-SENSOR-PORTA');
    expect(sensor?.items).toEqual([{ product_id: 'OLLI-SENSOR-PORTA', quantity: 4 }]);
    expect(await w.ixc(`SELECT quantidade FROM licencas_produtos_iot WHERE id_vd_contrato_produto = 13`)).toEqual([{ quantidade: 4 }]);
  });

  it('a worker whose lease expired cannot write back, and nothing is duplicated', async () => {
    const shortLease = createWorkSet(w.dataSource, { syncSchema: w.t.db.syncSchema, leaseMs: 400 });
    await shortLease.mark([{ contractId: 1, priority: 100 }]);
    const [stale] = await shortLease.claim('stale-worker', 1);
    // The stale worker stalls on its first licence create, long past its lease.
    await sandbox.admin.setFault('POST /subscriptions/{id}/licenses', { latencyMs: 1500, remaining: 1 });
    const staleRun = reconcileContract({ ...w.deps, workSet: shortLease }, stale!, w.options, new AbortController().signal);
    const staleOutcome = staleRun.then(
      () => 'wrote',
      (err: unknown) => err,
    );
    await waitFor(async () => (await sandboxObjects(sandbox)).subscriptions.length === 1, { what: 'the stale worker to create the subscription' });
    await waitFor(async () => (await w.workSet.claim('fresh-worker', 1))[0], { what: 'the expired lease to be claimable' }).then((fresh) =>
      reconcileContract(w.deps, fresh, w.options, new AbortController().signal),
    );
    const rowsAfterFresh = await w.ixc(`SELECT * FROM licencas_iot WHERE id_contrato = 1 ORDER BY id`);
    expect(await staleOutcome).toBeInstanceOf(LeaseLostError);
    expect(await w.ixc(`SELECT * FROM licencas_iot WHERE id_contrato = 1 ORDER BY id`)).toEqual(rowsAfterFresh);
    expect(await w.sync(`SELECT dirty, lease_owner, last_outcome FROM contract_sync WHERE contract_id = 1`)).toEqual([{ dirty: 0, lease_owner: null, last_outcome: 'applied' }]);
    const platform = await sandboxObjects(sandbox);
    expect(platform.customers).toHaveLength(1);
    expect(platform.subscriptions).toHaveLength(1);
    expect(platform.licences).toHaveLength(2);
  });

  it('while the consumer catches up on a burst only the catch-up slot reconciles; every slot claims again after', async () => {
    await sandbox.admin.setFault('POST /customers/{customerId}/subscriptions', { latencyMs: 300 });
    await w.workSet.mark([1, 2, 3, 7, 9].map((contractId) => ({ contractId, priority: 100 })));
    let behind = true;
    let peakHeld = 0;
    let peakAfter = 0;
    const slots = createReconcileSlots(
      { ...w.deps, catchingUp: () => behind },
      { concurrency: 4, catchUpConcurrency: 1, pollIntervalMs: 50, maintenanceIntervalMs: 1000, shutdownTimeoutMs: 5000, reconcile: w.options },
    );
    const sampler = setInterval(() => {
      if (behind) peakHeld = Math.max(peakHeld, slots.inFlight());
      else peakAfter = Math.max(peakAfter, slots.inFlight());
    }, 5);
    const clean = async (): Promise<number> => Number((await w.sync(`SELECT COUNT(*) AS n FROM contract_sync WHERE dirty = 0`))[0]?.n);
    slots.start();
    try {
      // Held back, work still goes on through the one catch-up slot.
      await waitFor(async () => (await clean()) >= 2, { what: 'two contracts reconciled by the catch-up slot' });
      behind = false;
      slots.nudge();
      await waitFor(async () => (await clean()) === 5, { what: 'every contract reconciled' });
    } finally {
      clearInterval(sampler);
      await slots.stop();
    }
    expect(peakHeld).toBe(1);
    // Contracts 7 and 9 (two customers, each create held 300 ms) are left for the released slots.
    expect(peakAfter).toBeGreaterThanOrEqual(2);
  });
});
