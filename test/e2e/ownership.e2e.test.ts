import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import type { SandboxAdminState } from '../../src/sandbox/sandbox-admin';
import { cdcDatabase, randomGroupId } from '../helpers/cdc-stack';
import { createIxcWorld, makeCpf, type IxcWorld } from '../helpers/ixc-world';
import { runCli } from '../helpers/reconcile-cli';
import { startSandboxProcess, type SandboxProcess } from '../helpers/sandbox-process';
import { waitFor } from '../helpers/wait-for';
import { startWorkerProcess, testWorkerEnv, type WorkerProcess } from '../helpers/worker-process';

// This file owns ids 950000-959999 and integration 95 on the captured database.
const BASE = 950_000;
const INTEGRATION = 95;
const P_CAMERA = BASE + 1;
const P_SENSOR = BASE + 2;
const PLAN = BASE + 1;
const TIMEOUT = 120_000;
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const digits = (cpf: string): string => cpf.replace(/\D/g, '');

interface TabRow {
  id: number;
  status: string;
  id_cliente_integracao: string;
  id_assinatura_integracao: string;
  id_licenca_integracao: string;
  codigo_licenca_integracao: string;
}

// Issue 15 §1 and §3 through MariaDB → Debezium → Kafka → worker → sandbox → MariaDB: a contract's
// change of owner moves it on the platform; IXC's "Licença IoT" tab keeps one row per licence, for ever.
describe('ownership transfer and licence history, end to end', () => {
  const tenant = `own${randomBytes(3).toString('hex')}`;
  const syncSchema = `ixc_iot_sync_own_${randomBytes(3).toString('hex')}`;
  let conn: mysql.Connection;
  let world: IxcWorld;
  let sandbox: SandboxProcess;
  let worker: WorkerProcess;

  const workerEnv = (): Record<string, string> =>
    testWorkerEnv({ sandbox, tenant, integration: INTEGRATION, syncSchema, groupId: randomGroupId('e2e-ownership') }, { RECONCILE_CONCURRENCY: '4', LOG_LEVEL: 'info', PENDING_LICENCE_REFRESH_INTERVAL_MS: '2000' });
  const state = (): Promise<SandboxAdminState> => sandbox.admin.state();
  const subscriptionsOf = (s: SandboxAdminState, contract: number) =>
    s.subscriptions.filter((x) => x.external_id !== null && (x.external_id === `ixc:${tenant}:contrato:${contract}` || x.external_id.startsWith(`ixc:${tenant}:contrato:${contract}:`)));
  const licencesOf = (s: SandboxAdminState, contract: number) => s.licences.filter((l) => l.external_id?.startsWith(`ixc:${tenant}:contrato:${contract}:produto:`));
  const customerOf = (s: SandboxAdminState, cpf: string) => s.customers.find((c) => c.document === digits(cpf));
  const tab = (contract: number) =>
    world.query<TabRow>(
      `SELECT id, status, id_cliente_integracao, id_assinatura_integracao, id_licenca_integracao, codigo_licenca_integracao
         FROM licencas_iot WHERE id_contrato = ? ORDER BY id`,
      [contract],
    );
  const settled = (contract: number) =>
    waitFor(
      async () => {
        const rows = await world.query<{ dirty: number }>(`SELECT dirty FROM \`${syncSchema}\`.contract_sync WHERE contract_id = ?`, [contract]);
        return rows.length === 1 && Number(rows[0]?.dirty) === 0;
      },
      { timeoutMs: TIMEOUT, what: `contract ${contract} to settle` },
    );
  /** The contract provisioned once: its one tab row, the platform's subscription and licence. */
  const provisioned = async (contract: number) => {
    const [row] = await waitFor(async () => {
      const rows = await tab(contract);
      return rows.length === 1 && rows[0]?.status === 'P' ? rows : null;
    }, { timeoutMs: TIMEOUT, what: `contract ${contract} provisioned` });
    await settled(contract);
    return row!;
  };

  /** A customer created on the platform outside IXC; its id. */
  const platformCustomer = async (name: string, cpf: string): Promise<string> => {
    const token = (await (
      await fetch(`${sandbox.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: sandbox.clientId, client_secret: sandbox.clientSecret }),
      })
    ).json()) as { access_token: string };
    const created = await fetch(`${sandbox.url}/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.access_token}`, 'idempotency-key': `own-${randomBytes(4).toString('hex')}` },
      body: JSON.stringify({ name, document: digits(cpf), document_type: 'CPF' }),
    });
    expect(created.status).toBe(201);
    return ((await created.json()) as { id: string }).id;
  };

  beforeAll(async () => {
    conn = await cdcDatabase();
    world = createIxcWorld(conn, BASE, INTEGRATION);
    sandbox = await startSandboxProcess({ startTimeoutMs: 120_000 });
    await world.clean();
    await world.integration(sandbox.clientId, sandbox.clientSecret);
    await world.product(P_CAMERA, 'Câmera IoT (ownership)', 'OLLI-CAMERA');
    await world.product(P_SENSOR, 'Sensor de porta (ownership)', 'OLLI-SENSOR-PORTA');
    await world.plan(PLAN, 'FIBRA (ownership)');
    for (const id of [BASE + 1, BASE + 2, BASE + 3]) await world.customer(id);
    worker = await startWorkerProcess(workerEnv(), { startTimeoutMs: 120_000 });
  });

  afterAll(async () => {
    const code = await worker?.stop();
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'e2e-ownership-worker.log'), worker?.output() ?? '');
    await sandbox?.stop();
    await conn?.query(`DROP DATABASE IF EXISTS \`${syncSchema}\``);
    await conn?.end();
    expect(code).toBe(0);
  });

  it('§1: a contract moved to another customer is cancelled for the old owner and provisioned anew for the new one; the tab keeps the old row as I', async () => {
    const contract = BASE + 11;
    await world.contract(contract, { id_cliente: BASE + 1, id_vd_contrato: PLAN });
    await world.line(BASE + 11, { id_contrato: contract, id_produto: P_CAMERA, qtde: 2 });
    const before = await provisioned(contract);
    const anaBefore = customerOf(await state(), makeCpf(BASE + 1));

    await conn.query('UPDATE cliente_contrato SET id_cliente = ? WHERE id = ?', [BASE + 2, contract]);
    const rows = await waitFor(async () => {
      const r = await tab(contract);
      return r.length === 2 && r[0]?.status === 'I' && r[1]?.status === 'P' ? r : null;
    }, { timeoutMs: TIMEOUT, what: 'the old row inactive and a new row for the new owner' });
    await settled(contract);

    const s = await state();
    const bruno = customerOf(s, makeCpf(BASE + 2));
    const subs = subscriptionsOf(s, contract);
    expect(subs.map((x) => [x.external_id, x.status, x.customer_id])).toEqual([
      [`ixc:${tenant}:contrato:${contract}`, 'cancelled', anaBefore?.id],
      [`ixc:${tenant}:contrato:${contract}:2`, 'active', bruno?.id],
    ]);
    const licences = licencesOf(s, contract);
    expect(licences.map((l) => [l.external_id, l.status, l.customer_id])).toEqual([
      [`ixc:${tenant}:contrato:${contract}:produto:OLLI-CAMERA`, 'revoked', anaBefore?.id],
      [`ixc:${tenant}:contrato:${contract}:produto:OLLI-CAMERA:2`, 'pending', bruno?.id],
    ]);
    // The old owner's platform customer is left alone.
    expect(customerOf(s, makeCpf(BASE + 1))).toEqual(anaBefore);
    // The old row keeps its licence id, code, customer and subscription; the new one is the new licence.
    expect(rows[0]).toEqual({ ...before, status: 'I' });
    expect(rows[1]).toMatchObject({
      id_cliente_integracao: bruno?.id,
      id_assinatura_integracao: subs[1]?.id,
      id_licenca_integracao: licences[1]?.id,
      codigo_licenca_integracao: licences[1]?.code,
    });

    const status = await runCli(['status', '--contract', String(contract)], { ...process.env, ...workerEnv(), LOG_LEVEL: 'warn' });
    expect(status.stdout).toContain(`ownership changed from cliente ${BASE + 1} to ${BASE + 2}`);
    // Kept after later reconciles of the contract (which plan nothing more).
    const [sync] = await world.query<{ owner_change: string; owner_cliente_id: number }>(
      `SELECT owner_change, owner_cliente_id FROM \`${syncSchema}\`.contract_sync WHERE contract_id = ?`,
      [contract],
    );
    expect(sync).toEqual({ owner_change: `ownership changed from cliente ${BASE + 1} to ${BASE + 2}`, owner_cliente_id: BASE + 2 });
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'e2e-ownership-status.txt'), status.stdout);
  });

  it("§1: a customer's corrected CPF moves the contract to the platform customer of the right document", async () => {
    const contract = BASE + 12;
    await world.customer(BASE + 5, { email: null });
    await world.contract(contract, { id_cliente: BASE + 5, id_vd_contrato: PLAN });
    await world.line(BASE + 12, { id_contrato: contract, id_produto: P_CAMERA, qtde: 1 });
    await provisioned(contract);
    const wrong = customerOf(await state(), makeCpf(BASE + 5));
    // The right document is a customer the platform already has.
    const corrected = makeCpf(BASE + 4);
    const existing = await platformCustomer('Cliente Correto', corrected);

    await conn.query('UPDATE cliente SET cnpj_cpf = ? WHERE id = ?', [corrected, BASE + 5]);
    await waitFor(async () => {
      const r = await tab(contract);
      return r.length === 2 && r[0]?.status === 'I' && r[1]?.status === 'P';
    }, { timeoutMs: TIMEOUT, what: 'the contract moved to the corrected document' });
    await settled(contract);
    const s = await state();
    expect(s.customers.filter((c) => c.document === digits(corrected)).map((c) => c.id)).toEqual([existing]);
    expect(subscriptionsOf(s, contract).map((x) => [x.status, x.customer_id])).toEqual([
      ['cancelled', wrong?.id],
      ['active', existing],
    ]);
    expect(customerOf(s, makeCpf(BASE + 5))).toEqual(wrong);
    const [sync] = await world.query<{ owner_change: string }>(`SELECT owner_change FROM \`${syncSchema}\`.contract_sync WHERE contract_id = ?`, [contract]);
    expect(sync?.owner_change).toBe(`ownership changed: the CPF/CNPJ of cliente ${BASE + 5} was corrected`);
  });

  it('§1: a contract deleted and re-created under another customer gets a new subscription for the new owner', async () => {
    const contract = BASE + 13;
    await world.contract(contract, { id_cliente: BASE + 1, id_vd_contrato: PLAN });
    await world.line(BASE + 13, { id_contrato: contract, id_produto: P_CAMERA, qtde: 1 });
    const before = await provisioned(contract);
    await conn.query('DELETE FROM cliente_contrato WHERE id = ?', [contract]);
    await waitFor(async () => (await tab(contract))[0]?.status === 'I', { timeoutMs: TIMEOUT, what: 'the deleted contract revoked' });
    await settled(contract);

    await world.contract(contract, { id_cliente: BASE + 2, id_vd_contrato: PLAN });
    const rows = await waitFor(async () => {
      const r = await tab(contract);
      return r.length === 2 && r[1]?.status === 'P' ? r : null;
    }, { timeoutMs: TIMEOUT, what: 'the re-created contract provisioned' });
    await settled(contract);
    const s = await state();
    const bruno = customerOf(s, makeCpf(BASE + 2));
    expect(subscriptionsOf(s, contract).map((x) => [x.status, x.customer_id === bruno?.id])).toEqual([
      ['cancelled', false],
      ['active', true],
    ]);
    expect(rows[0]).toEqual({ ...before, status: 'I' });
    const [sync] = await world.query<{ owner_change: string }>(`SELECT owner_change FROM \`${syncSchema}\`.contract_sync WHERE contract_id = ?`, [contract]);
    expect(sync?.owner_change).toBe(`ownership changed from cliente ${BASE + 1} to ${BASE + 2}`);
  });

  it('§3: a re-linked product and a reactivation after cancellation each add a tab row; every old row keeps its licence id, code and I', async () => {
    const contract = BASE + 14;
    await world.contract(contract, { id_cliente: BASE + 1, id_vd_contrato: PLAN });
    await world.line(BASE + 14, { id_contrato: contract, id_produto: P_SENSOR, qtde: 1 });
    const first = await provisioned(contract);

    await world.linkProduct(P_SENSOR, null);
    await waitFor(async () => (await tab(contract))[0]?.status === 'I', { timeoutMs: TIMEOUT, what: 'the unlinked product revoked' });
    await settled(contract);
    await world.linkProduct(P_SENSOR, 'OLLI-SENSOR-PORTA');
    await waitFor(async () => (await tab(contract)).length === 2, { timeoutMs: TIMEOUT, what: 'a row for the re-linked licence' });
    await settled(contract);

    await conn.query(`UPDATE cliente_contrato SET status = 'I' WHERE id = ?`, [contract]);
    await waitFor(async () => (await tab(contract)).every((r) => r.status === 'I'), { timeoutMs: TIMEOUT, what: 'the cancelled contract revoked' });
    await settled(contract);
    await conn.query(`UPDATE cliente_contrato SET status = 'A' WHERE id = ?`, [contract]);
    const rows = await waitFor(async () => {
      const r = await tab(contract);
      return r.length === 3 && r[2]?.status === 'P' ? r : null;
    }, { timeoutMs: TIMEOUT, what: 'a row for the licence of the reactivated contract' });
    await settled(contract);

    const s = await state();
    const licences = licencesOf(s, contract);
    expect(licences.map((l) => [l.external_id, l.status])).toEqual([
      [`ixc:${tenant}:contrato:${contract}:produto:OLLI-SENSOR-PORTA`, 'revoked'],
      [`ixc:${tenant}:contrato:${contract}:produto:OLLI-SENSOR-PORTA:2`, 'revoked'],
      [`ixc:${tenant}:contrato:${contract}:produto:OLLI-SENSOR-PORTA:3`, 'pending'],
    ]);
    expect(rows[0]).toEqual({ ...first, status: 'I' });
    expect(rows.map((r) => [r.id_licenca_integracao, r.codigo_licenca_integracao, r.status])).toEqual(licences.map((l, i) => [l.id, l.code, i < 2 ? 'I' : 'P']));
    // The project's own per-licence record keeps every epoch.
    const record = await world.query<{ epoch: number; licence_ref: string; licenca_iot_id: number; status: string }>(
      `SELECT epoch, licence_ref, licenca_iot_id, status FROM \`${syncSchema}\`.licence_sync WHERE contract_id = ? ORDER BY epoch`,
      [contract],
    );
    expect(record.map((r) => [Number(r.epoch), r.licence_ref, Number(r.licenca_iot_id), r.status])).toEqual(
      licences.map((l, i) => [i + 1, l.id, rows[i]!.id, l.status]),
    );
  });

  it('§4: a device activating a licence on the platform shows as A in the tab within the re-read interval', async () => {
    const contract = BASE + 16;
    await world.contract(contract, { id_cliente: BASE + 2, id_vd_contrato: PLAN });
    await world.line(BASE + 16, { id_contrato: contract, id_produto: P_CAMERA, qtde: 1 });
    const row = await provisioned(contract);
    await sandbox.admin.activateLicence(row.id_licenca_integracao, 'camera-garagem');
    await waitFor(async () => (await tab(contract))[0]?.status === 'A', { timeoutMs: 30_000, what: 'the activation in the tab' });
    const [record] = await world.query<{ status: string }>(`SELECT status FROM \`${syncSchema}\`.licence_sync WHERE contract_id = ?`, [contract]);
    expect(record?.status).toBe('active');
  });
});
