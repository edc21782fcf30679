import type { ReconcileEventMap } from '../../../src/handlers/reconcile-events';
import { cliEnv, runCli } from '../../helpers/reconcile-cli';
import { createReconcileWorld, sandboxObjects, TENANT, type ReconcileWorld } from '../../helpers/reconcile-harness';
import { startSandboxProcess, type SandboxProcess } from '../../helpers/sandbox-process';
import { waitFor } from '../../helpers/wait-for';

jest.setTimeout(600_000);

// Contract 1 (two licences) is provisioned, then deleted in IXC while the project's own rows for it
// are lost (restored from an old backup): only IXC's licence tab still names it, and nothing would
// ever cancel its subscription.
describe('orphans: platform subscriptions with this tenant’s references and no live contract', () => {
  let sandbox: SandboxProcess;
  let w: ReconcileWorld;

  beforeAll(async () => {
    sandbox = await startSandboxProcess({ startTimeoutMs: 180_000 });
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  beforeEach(async () => {
    await sandbox.admin.reset({ keepCatalog: true });
    w = await createReconcileWorld(sandbox, { blastRadiusThreshold: 2 });
    await w.converge([1, 9]);
    await w.ixc(`DELETE FROM cliente_contrato WHERE id = 1`);
    await w.sync(`DELETE FROM contract_sync WHERE contract_id = 1`);
    await w.sync(`DELETE FROM licence_sync WHERE contract_id = 1`);
  });
  afterEach(async () => {
    await w.close();
  });

  it('the daily resync lists them (log, metric event) and cancels nothing', async () => {
    const found: Array<ReconcileEventMap['orphans:found']> = [];
    const slots = w.slots({ verifyResyncIntervalMs: 1, maintenanceIntervalMs: 100 });
    slots.events.on('orphans:found', (e) => found.push(e));
    // The job's first run comes one interval after its row is created.
    slots.start();
    await waitFor(() => found.length > 0, { timeoutMs: 30_000, what: 'the orphan scan of the resync' });
    await slots.stop();
    expect(found[0]?.orphans).toEqual([
      expect.objectContaining({ contractId: 1, epoch: 1, externalId: `ixc:${TENANT}:contrato:1`, status: 'active', reason: 'contract deleted in IXC' }),
    ]);
    expect(found[0]?.orphans[0]?.liveLicences).toHaveLength(2);
    const platform = await sandboxObjects(sandbox);
    expect(platform.subscriptions.filter((s) => s.status === 'cancelled')).toEqual([]);
  });

  it('`status --orphans` lists them; `reconcile --orphans --confirm` goes through the blast-radius guard, then cancels them', async () => {
    const env = cliEnv(w, sandbox, { BLAST_RADIUS_THRESHOLD: '2' });
    const status = await runCli(['status', '--orphans'], env);
    expect(status.stdout).toMatch(new RegExp(`^orphan subscription \\S+ \\(ixc:${TENANT}:contrato:1, active\\) with 2 live licence\\(s\\): contract deleted in IXC \\(contract 1\\)$`, 'm'));
    expect(status.stdout).toContain('1 orphan subscription(s)');

    // Three objects (two licences and the subscription) are more than the threshold of 2: held as one change.
    const first = await runCli(['reconcile', '--orphans', '--confirm'], env);
    const changeId = /held as change (\d+): 3 revocation\(s\)\/cancellation\(s\), above the blast-radius threshold of 2/.exec(first.stdout)?.[1];
    expect(changeId).toBeDefined();
    expect(first.code).toBe(1);
    expect((await sandboxObjects(sandbox)).licences.filter((l) => l.status === 'revoked')).toEqual([]);
    expect((await runCli(['reconcile', '--dry-run'], env)).stdout).toContain(`change ${changeId} HELD: cancelling orphans makes 3 revocation(s)/cancellation(s); contracts 1`);

    const confirmed = await runCli(['reconcile', '--orphans', '--confirm', changeId!], env);
    expect(confirmed.stdout).toContain('cancelled 1 orphan subscription(s), revoked 2 licence(s)');
    expect(confirmed.code).toBe(0);
    const platform = await sandboxObjects(sandbox);
    expect(platform.subscriptions.find((s) => s.external_id === `ixc:${TENANT}:contrato:1`)?.status).toBe('cancelled');
    expect(platform.subscriptions.find((s) => s.external_id === `ixc:${TENANT}:contrato:9`)?.status).toBe('active');
    expect((await runCli(['status', '--orphans'], env)).stdout).toContain('0 orphan subscription(s)');
  });
});
