import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type mysql from 'mysql2/promise';
import type { SandboxAdminState } from '../../../src/sandbox/sandbox-admin';
import { cdcDatabase, randomGroupId } from '../../helpers/cdc-stack';
import { createIxcWorld, type IxcWorld } from '../../helpers/ixc-world';
import { startSandboxProcess, type SandboxProcess } from '../../helpers/sandbox-process';
import { waitFor } from '../../helpers/wait-for';
import { startWorkerProcess, testWorkerEnv, type WorkerProcess } from '../../helpers/worker-process';
import { testKafka } from '../ops/helpers/kafka-fixtures';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
// This file owns ids 960000-969999 and integration 96 on the captured database.
const BASE = 960_000;
const INTEGRATION = 96;
const P_CAMERA = BASE + 1;
const PLAN = BASE + 1;
const A = BASE + 1;
const B = BASE + 2;
const TIMEOUT = 120_000;

/**
 * A licence revoked on the platform behind the worker's back changes nothing in IXC, so no event
 * ever reaches the worker. `replay` re-reads the topics through its own group and marks the
 * contracts for a verify reconcile, which compares with the platform itself: the revoked licence
 * is re-created, and the contract that was in step is left exactly as it was.
 */
describe('replay re-converges drift made behind the worker\'s back', () => {
  const tenant = `rpl${randomBytes(3).toString('hex')}`;
  const syncSchema = `ixc_iot_sync_rpl_${randomBytes(3).toString('hex')}`;
  const groupId = randomGroupId('ops-replay-worker');
  let conn: mysql.Connection;
  let world: IxcWorld;
  let sandbox: SandboxProcess;
  let worker: WorkerProcess;
  let from: string;

  const env = (): Record<string, string> => testWorkerEnv({ sandbox, tenant, integration: INTEGRATION, syncSchema, groupId }, { LOG_LEVEL: 'warn' });
  const licencesOf = (s: SandboxAdminState, contract: number) => s.licences.filter((l) => l.external_id?.startsWith(`ixc:${tenant}:contrato:${contract}:produto:`));
  const subscriptionsOf = (s: SandboxAdminState, contract: number) =>
    s.subscriptions.filter((x) => x.external_id?.startsWith(`ixc:${tenant}:contrato:${contract}`) && !x.external_id.includes(':produto:'));
  const licencas = (contract: number) =>
    world.query<{ status: string; id_licenca_integracao: string }>('SELECT status, id_licenca_integracao FROM licencas_iot WHERE id_contrato = ? ORDER BY id', [contract]);
  const settled = () =>
    waitFor(
      async () => {
        const rows = await world.query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${syncSchema}\`.contract_sync WHERE contract_id IN (?) AND dirty = 1`, [[A, B]]);
        return Number(rows[0]?.n) === 0;
      },
      { timeoutMs: TIMEOUT, what: 'the contracts to settle' },
    );

  beforeAll(async () => {
    conn = await cdcDatabase();
    world = createIxcWorld(conn, BASE, INTEGRATION);
    sandbox = await startSandboxProcess();
    await world.clean();
    from = new Date(Date.now() - 1_000).toISOString();
    await world.integration(sandbox.clientId, sandbox.clientSecret);
    await world.product(P_CAMERA, 'Câmera IoT (replay)', 'OLLI-CAMERA');
    await world.plan(PLAN, 'FIBRA (replay)');
    worker = await startWorkerProcess(env());
    for (const [contract, qty] of [[A, 1], [B, 2]] as const) {
      await world.customer(contract);
      await world.contract(contract, { id_cliente: contract, id_vd_contrato: PLAN });
      await world.line(contract + 10, { id_contrato: contract, id_produto: P_CAMERA, qtde: qty });
    }
    try {
      for (const contract of [A, B]) {
        await waitFor(async () => (await licencas(contract)).some((r) => r.id_licenca_integracao), { timeoutMs: TIMEOUT, what: `contract ${contract} provisioned` });
      }
      await settled();
    } catch (err) {
      const sync = await world.query(`SELECT contract_id, dirty, attempts, parked_reason, last_outcome, last_error, last_plan, generation FROM \`${syncSchema}\`.contract_sync WHERE contract_id IN (?)`, [[A, B]]).catch((e: unknown) => String(e));
      const own = worker.output().split('\n').filter((l) => !l.includes('"logger":"kafkajs"')).join('\n');
      const dbg = { licencas: await licencas(A).catch(String), sandbox: await sandbox.admin.state().then((st) => ({ subs: st.subscriptions.length, lic: st.licences.map((l) => [l.external_id, l.status]), writes: st.writeCalls })).catch(String) };
      throw new Error(`${(err as Error).message}\ndbg: ${JSON.stringify(dbg)}\nsync rows: ${JSON.stringify(sync)}\nworker output (tail):\n${own.slice(-4000)}`, { cause: err });
    }
  });

  afterAll(async () => {
    const code = await worker?.stop();
    await sandbox?.stop();
    await world?.clean().catch(() => undefined);
    await conn?.query(`DROP DATABASE IF EXISTS \`${syncSchema}\``);
    await conn?.end();
    expect(code).toBe(0);
  });

  it('re-creates the revoked licence and leaves the other contract untouched', async () => {
    const before = await sandbox.admin.state();
    const [revoked] = licencesOf(before, A);
    // A new licence waits for its device (pending) or runs (active); either way it is live.
    expect(['pending', 'active']).toContain(revoked?.status);
    const recordedBefore = await licencas(A);
    const untouched = { subscriptions: subscriptionsOf(before, B), licences: licencesOf(before, B) };
    expect(untouched.licences).toHaveLength(1);

    await sandbox.admin.revokeLicence(revoked!.id);
    // Nothing changed in IXC: the worker's own record still believes the licence is active.
    expect(recordedBefore).toEqual([{ status: expect.any(String), id_licenca_integracao: revoked!.id }]);

    const { stdout } = await run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', 'replay', '--from', from, '--wait', '--wait-timeout', '120', '--json'],
      { cwd: ROOT, env: { ...process.env, ...env() }, timeout: TIMEOUT },
    );
    const summary = JSON.parse(stdout) as {
      groupId: string;
      contracts: number[];
      complete: boolean;
      outcomes: { pending: number[]; actions: Array<{ contractId: number; actions: string[] }> };
    };
    expect(summary.complete).toBe(true);
    expect(summary.groupId).not.toBe(groupId);
    expect(summary.contracts).toEqual(expect.arrayContaining([A, B]));
    expect(summary.outcomes.pending).toEqual([]);
    const actionsA = summary.outcomes.actions.find((a) => a.contractId === A);
    expect(actionsA?.actions.join('; ')).toMatch(/create licence/);
    expect(summary.outcomes.actions.find((a) => a.contractId === B)).toBeUndefined();

    const after = await sandbox.admin.state();
    const live = licencesOf(after, A).filter((l) => l.status !== 'revoked');
    expect(live).toHaveLength(1);
    expect(live[0]!.id).not.toBe(revoked!.id);
    expect(live[0]!.items).toEqual([{ product_id: 'OLLI-CAMERA', quantity: 1 }]);
    expect(licencesOf(after, A).find((l) => l.id === revoked!.id)?.status).toBe('revoked');
    // The tab keeps its history (one row per platform licence): the revoked licence's row turns I,
    // the replacement gets a row of its own.
    expect(await licencas(A)).toEqual([
      { status: 'I', id_licenca_integracao: revoked!.id },
      { status: 'P', id_licenca_integracao: live[0]!.id },
    ]);
    // The contract that was in step: same objects, not even touched (updated_at unchanged).
    expect({ subscriptions: subscriptionsOf(after, B), licences: licencesOf(after, B) }).toEqual(untouched);

    const admin = testKafka().admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      expect(groups.map((g) => g.groupId).filter((g) => g.startsWith(`${groupId}.replay.`))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});
