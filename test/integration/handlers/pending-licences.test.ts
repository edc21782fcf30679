import { refreshPendingLicences, refreshPendingLicencesIfDue } from '../../../src/handlers/pending-licences';
import { createReconcileWorld, sandboxObjects, type ReconcileWorld } from '../../helpers/reconcile-harness';
import { startSandboxProcess, type SandboxProcess } from '../../helpers/sandbox-process';

jest.setTimeout(240_000);

// Issue 15 §4: the tab's letter is the platform's status as last read; pending licences are re-read
// cheaply (one GET each, a bounded batch, the one read longest ago first) so a device's activation
// reaches IXC's tab without waiting for the daily resync.
describe('pending licences re-read on the platform', () => {
  let sandbox: SandboxProcess;
  let w: ReconcileWorld;
  // One sandbox for the file, started with room for a loaded machine; a fresh world per test.
  beforeAll(async () => {
    sandbox = await startSandboxProcess({ startTimeoutMs: 180_000 });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  beforeEach(async () => {
    await sandbox.admin.reset({ keepCatalog: true });
    w = await createReconcileWorld(sandbox);
  });
  afterEach(async () => {
    await w?.close();
  });

  const letters = async (contractId: number) =>
    (await w.ixc('SELECT id_licenca_integracao AS ref, status FROM licencas_iot WHERE id_contrato = ? ORDER BY id', [contractId])) as Array<{ ref: string; status: string }>;
  const getCalls = async () => (await sandbox.admin.state()).requestCounts['GET /licenses/{id}'] ?? 0;

  it('a licence a device activated is marked for a verify reconcile, which writes A to the tab; still-pending ones only move to the back of the queue', async () => {
    await w.converge([1]);
    const before = await letters(1);
    expect(before.map((r) => r.status)).toEqual(['P', 'P']);
    await sandbox.admin.activateLicence(before[0]!.ref, 'hub-sala');

    const result = await refreshPendingLicences(w.deps, 100);
    expect(result).toEqual({ read: 2, marked: 1 });
    const [row] = await w.sync('SELECT dirty, verify_requested FROM contract_sync WHERE contract_id = 1');
    expect(row).toMatchObject({ dirty: 1, verify_requested: 1 });

    // The verify reconcile the mark asked for writes the platform's status back.
    await w.converge([1]);
    expect((await letters(1)).map((r) => r.status)).toEqual(['A', 'P']);
    const sync = await w.sync('SELECT licence_ref, status FROM licence_sync WHERE contract_id = 1 ORDER BY licence_ref');
    expect(sync).toEqual(
      expect.arrayContaining([
        { licence_ref: before[0]!.ref, status: 'active' },
        { licence_ref: before[1]!.ref, status: 'pending' },
      ]),
    );
    // The active licence is not read again; the still-pending one is.
    const calls = await getCalls();
    expect(await refreshPendingLicences(w.deps, 100)).toEqual({ read: 1, marked: 0 });
    expect(await getCalls()).toBe(calls + 1);
  });

  it('reads at most the batch per run, the licence read longest ago first', async () => {
    await w.converge([1]);
    const pending = (await w.sync("SELECT licence_ref FROM licence_sync WHERE status = 'pending'")).map((r) => String(r.licence_ref));
    expect(pending.length).toBe(2);

    const seen: string[] = [];
    const platform = { ...w.platform, getLicence: (id: string, ctx?: Parameters<typeof w.platform.getLicence>[1]) => (seen.push(id), w.platform.getLicence(id, ctx)) };
    const deps = { ...w.deps, platform };
    for (let run = 0; run < pending.length; run += 1) {
      expect((await refreshPendingLicences(deps, 1)).read).toBe(1);
    }
    // One per run, and every pending licence once before any is read twice.
    expect([...seen].sort()).toEqual([...pending].sort());
    await refreshPendingLicences(deps, 1);
    expect(seen[pending.length]).toBe(seen[0]);
  });

  it('runs once per interval across instances', async () => {
    await w.converge([1]);
    const a = await refreshPendingLicencesIfDue(w.deps, { intervalMs: 60_000, limit: 10, owner: 'a' });
    const b = await refreshPendingLicencesIfDue(w.deps, { intervalMs: 60_000, limit: 10, owner: 'b' });
    // The first call only creates the job's row, dated now: the first run comes one interval later.
    expect([a, b]).toEqual([null, null]);
    await w.sync("UPDATE maintenance_runs SET last_run_at = NOW(3) - INTERVAL 2 MINUTE WHERE name = 'pending-licence-refresh'");
    const first = await refreshPendingLicencesIfDue(w.deps, { intervalMs: 60_000, limit: 10, owner: 'a' });
    const second = await refreshPendingLicencesIfDue(w.deps, { intervalMs: 60_000, limit: 10, owner: 'b' });
    expect(first?.read).toBe(2);
    expect(second).toBeNull();
    expect((await sandboxObjects(sandbox)).licences.length).toBeGreaterThan(0);
  });
});
