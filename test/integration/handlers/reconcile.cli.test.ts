import { useReconcileWorld, sandboxObjects, type ReconcileWorld } from '../../helpers/reconcile-harness';
import { cliEnv, runCli, spawnCli } from '../../helpers/reconcile-cli';
import type { SandboxProcess } from '../../helpers/sandbox-process';
import { waitFor } from '../../helpers/wait-for';

const SENSOR = 'OLLI-SENSOR-PORTA';


// Real processes and HTTP round trips: jest's 5 s default is too short (testTimeout is not per project).
jest.setTimeout(120_000);
describe('reconcile CLI as a separate process', () => {
  let sandbox: SandboxProcess;
  let w: ReconcileWorld;

  useReconcileWorld((s, world) => {
    sandbox = s;
    w = world;
  });

  it('--all converges; then --all --dry-run --json plans zero actions; --all --verify restores a licence revoked behind its back', async () => {
    const env = cliEnv(w, sandbox);
    const first = await runCli(['reconcile', '--all', '--json'], env);
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { ranLocally: boolean; contracts: Array<{ contractId: number; outcome: string; actions: string[] }> };
    expect(report.ranLocally).toBe(true);
    expect(report.contracts).toHaveLength(10);
    expect(report.contracts.find((c) => c.contractId === 1)).toMatchObject({ outcome: 'applied', actions: expect.arrayContaining([expect.stringMatching(/create subscription/)]) });

    const dry = await runCli(['reconcile', '--all', '--dry-run', '--json'], env);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, totalActions: 0 });

    const before = await sandboxObjects(sandbox);
    const sensor = before.licences.find((l) => l.items[0]?.product_id === SENSOR && l.external_id.includes(':contrato:1:'));
    await sandbox.admin.revokeLicence(sensor!.id);
    // The recorded state still says active: a normal dry run sees nothing, a verify dry run sees the loss.
    expect(JSON.parse((await runCli(['reconcile', '--all', '--dry-run', '--json'], env)).stdout)).toMatchObject({ totalActions: 0 });
    const verifyDry = JSON.parse((await runCli(['reconcile', '--contract', '1', '--dry-run', '--verify', '--json'], env)).stdout) as {
      contracts: Array<{ actions: string[] }>;
    };
    expect(verifyDry.contracts[0]?.actions).toEqual([expect.stringMatching(/create licence .*produto:OLLI-SENSOR-PORTA:2/)]);

    const verify = await runCli(['reconcile', '--all', '--verify'], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/contract 1: applied/);
    // Not a terminal: a progress line on stderr at each 10 % reached, ending with all settled.
    const progress = verify.stderr.split('\n').filter((l) => l.startsWith('reconcile: '));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThanOrEqual(10);
    expect(progress.at(-1)).toMatch(/^reconcile: 10\/10 settled \(100 %\), \d+\.\d\/s, done$/);
    const after = await sandboxObjects(sandbox);
    const restored = after.licences.find((l) => l.items[0]?.product_id === SENSOR && l.external_id.includes(':contrato:1:') && l.status !== 'revoked');
    expect(restored).toBeDefined();
    expect(restored?.id).not.toBe(sensor?.id);
    const row = await w.ixc(`SELECT id_licenca_integracao AS ref, codigo_licenca_integracao AS code, status FROM licencas_iot WHERE id_contrato = 1 AND id_licenca_integracao = ?`, [
      restored?.id,
    ]);
    expect(row).toEqual([{ ref: restored?.id, code: restored?.code, status: 'P' }]);
    expect(JSON.parse((await runCli(['reconcile', '--all', '--dry-run', '--verify', '--json'], env)).stdout)).toMatchObject({ totalActions: 0 });
  });

  it('a process killed between a create and its write-back, then a block: the subscription ends suspended, nothing duplicated', async () => {
    const env = cliEnv(w, sandbox, { RECONCILE_BUDGET_MS: '5000', RECONCILE_LEASE_MS: '10000' });
    // The first licence create hangs: the kill lands after the subscription exists and before any write-back.
    await sandbox.admin.setFault('POST /subscriptions/{id}/licenses', { latencyMs: 60_000 });
    const doomed = spawnCli(['reconcile', '--contract', '1'], env);
    await waitFor(async () => (await sandboxObjects(sandbox)).subscriptions.length === 1, { what: 'the subscription to be created', timeoutMs: 30_000 });
    doomed.child.kill('SIGKILL');
    expect((await doomed.done).signal).toBe('SIGKILL');
    expect(await w.ixc(`SELECT COUNT(*) AS n FROM licencas_iot`)).toEqual([{ n: 0 }]);
    expect(await w.sync(`SELECT subscription_ref FROM contract_sync WHERE contract_id = 1`)).toEqual([{ subscription_ref: null }]);
    await sandbox.admin.clearFaults();

    // The contract is blocked before anything was written back.
    await w.ixc(`UPDATE cliente_contrato SET status_internet = 'CM' WHERE id = 1`);
    const next = await runCli(['reconcile', '--contract', '1', '--json'], env);
    expect(next.code).toBe(0);
    const platform = await sandboxObjects(sandbox);
    expect(platform.customers).toHaveLength(1);
    expect(platform.subscriptions).toEqual([expect.objectContaining({ status: 'suspended' })]);
    // Nothing created only to be blocked; a licence the killed process did create is blocked, never duplicated.
    const perProduct = new Map<string, number>();
    for (const l of platform.licences) perProduct.set(String(l.items[0]?.product_id), (perProduct.get(String(l.items[0]?.product_id)) ?? 0) + 1);
    expect([...perProduct.values()].every((n) => n === 1)).toBe(true);
    expect(platform.licences.every((l) => l.status === 'blocked')).toBe(true);
    expect(await w.sync(`SELECT subscription_ref, subscription_status, dirty FROM contract_sync WHERE contract_id = 1`)).toEqual([
      { subscription_ref: platform.subscriptions[0]?.id, subscription_status: 'suspended', dirty: 0 },
    ]);
  });

  it('--failed retries parked contracts; beside a running worker the CLI only marks and waits', async () => {
    const env = cliEnv(w, sandbox);
    await w.ixc(`UPDATE cliente SET cnpj_cpf = '211.114.963-24' WHERE id = 1`);
    const parked = await runCli(['reconcile', '--contract', '1'], env);
    expect(parked.code).toBe(1);
    expect(parked.stdout).toMatch(/parked: invalid_customer — Invalid customer document: CPF check digits do not match/);

    // The document is fixed without any mark (no consumer here): only --failed brings it back.
    await w.ixc(`UPDATE cliente SET cnpj_cpf = '211.114.963-23' WHERE id = 1`);
    const worker = w.slots({ owner: 'running-worker', concurrency: 1 });
    const byWorker: number[] = [];
    worker.events.on('reconcile:success', (e) => byWorker.push(e.contractId));
    worker.start();
    await waitFor(async () => (await w.workSet.liveWorkers(60_000)).includes('running-worker'), { what: 'worker heartbeat' });
    const retried = await runCli(['reconcile', '--failed', '--json'], env);
    await worker.stop();
    expect(retried.code).toBe(0);
    const out = JSON.parse(retried.stdout) as { ranLocally: boolean; contracts: Array<{ contractId: number; outcome: string }> };
    expect(out).toMatchObject({ ranLocally: false, contracts: [{ contractId: 1, outcome: 'applied' }] });
    expect(byWorker).toContain(1);
    expect((await sandboxObjects(sandbox)).subscriptions).toHaveLength(1);
  });
});
