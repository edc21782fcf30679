import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import { checkWorld, type LicencaRow } from '../../chaos/chaos-oracle';
import { changeTopics } from '../../src/consumers/change-topics';
import { cdcConfig, cdcDatabase, cdcKafka, randomGroupId } from '../helpers/cdc-stack';
import { createIxcWorld, makeCpf, type IxcWorld } from '../helpers/ixc-world';
import { startSandboxProcess, type SandboxProcess } from '../helpers/sandbox-process';
import { waitFor } from '../helpers/wait-for';
import { startWorkerProcess, testWorkerEnv, type WorkerProcess } from '../helpers/worker-process';

// This file owns ids 950000-959999 and integration 95 on the captured database.
const BASE = 950_000;
const INTEGRATION = 95;
const P_CAMERA = BASE + 1;
const PLAN = BASE + 1;
const CONTRACTS = 16;
const SLOTS = 4;
const TIMEOUT = 180_000;
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

/**
 * SIGTERM to a real worker process while reconciles and their API calls are in flight (every
 * platform call slowed by the sandbox's fault injection): the process exits 0, every reconcile
 * either finished (platform and licencas_iot complete) or was given back (still dirty, no lease),
 * the committed offsets cover every marked record, no API call is left in flight, and after a
 * restart every contract converges with nothing duplicated on the platform.
 */
describe('graceful shutdown of a worker process in the middle of reconciles', () => {
  const tenant = `gs${randomBytes(3).toString('hex')}`;
  const syncSchema = `ixc_iot_sync_gs_${randomBytes(3).toString('hex')}`;
  const groupId = randomGroupId('gs-worker');
  const config = cdcConfig();
  const topics = changeTopics(config.kafka.topicPrefix, config.db.ixcDatabase);
  const ids = Array.from({ length: CONTRACTS }, (_, i) => BASE + 100 + i);
  let conn: mysql.Connection;
  let world: IxcWorld;
  let sandbox: SandboxProcess;
  const launched: WorkerProcess[] = [];

  const launch = async (): Promise<WorkerProcess> => {
    const started = await startWorkerProcess(
      testWorkerEnv({ sandbox, tenant, integration: INTEGRATION, syncSchema, groupId }, { RECONCILE_CONCURRENCY: String(SLOTS), LOG_LEVEL: 'info' }),
    );
    launched.push(started);
    return started;
  };
  const syncRows = () =>
    world.query<{ contract_id: number; dirty: number; lease_owner: string | null; lease_expires_at: string | null }>(
      `SELECT contract_id, dirty, lease_owner, lease_expires_at FROM \`${syncSchema}\`.contract_sync WHERE contract_id BETWEEN ? AND ? ORDER BY contract_id`,
      [BASE, BASE + 9999],
    ).catch(() => []);
  const licencas = () =>
    world.query<LicencaRow>('SELECT id_contrato, id_licenca_integracao, id_assinatura_integracao, status FROM licencas_iot WHERE id_contrato BETWEEN ? AND ?', [BASE, BASE + 9999]);
  const expectations = (contracts: number[]) => contracts.map((contractId) => ({ contractId, kind: 'active' as const, quantities: new Map([['OLLI-CAMERA', 1]]) }));
  const documents = new Set(ids.map((id) => makeCpf(id).replace(/\D/g, '')));
  const withKafkaAdmin = async <T>(fn: (admin: ReturnType<ReturnType<typeof cdcKafka>['admin']>) => Promise<T>): Promise<T> => {
    const admin = cdcKafka().admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  };
  const topicEnds = () =>
    withKafkaAdmin(async (admin) => {
      const ends = new Map<string, bigint>();
      for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
      return ends;
    });

  beforeAll(async () => {
    conn = await cdcDatabase();
    world = createIxcWorld(conn, BASE, INTEGRATION);
    sandbox = await startSandboxProcess();
    await world.clean();
    await world.integration(sandbox.clientId, sandbox.clientSecret);
    await world.product(P_CAMERA, 'Câmera IoT (shutdown)', 'OLLI-CAMERA');
    await world.plan(PLAN, 'FIBRA (shutdown)');
    // The group starts at the current end of the shared topics: only this file's rows are read.
    await withKafkaAdmin(async (admin) => {
      for (const topic of topics) await admin.setOffsets({ groupId, topic, partitions: (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: p.high })) });
    });
  });

  afterAll(async () => {
    await Promise.all(launched.map((w) => w.stop()));
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'e2e-graceful-shutdown-worker.log'), launched.map((w, i) => `=== worker ${i} (pid ${w.pid})\n${w.output()}`).join('\n'));
    await sandbox?.stop();
    await world?.clean();
    await conn?.query(`DROP DATABASE IF EXISTS \`${syncSchema}\``);
    await conn?.end();
  });

  it('SIGTERM mid-reconcile: finished or given back, offsets and leases consistent, nothing duplicated after the restart', async () => {
    // Every platform call takes 1.5 s: a reconcile (token, customer search and create, subscription, licence) spans several.
    await sandbox.admin.setFault('*', { latencyMs: 1500 });
    for (const id of ids) {
      await world.customer(id);
      await world.contract(id, { id_cliente: id, id_vd_contrato: PLAN });
      await world.line(id, { id_contrato: id, id_produto: P_CAMERA, qtde: 1 });
    }
    const worker = await launch();

    // Every contract marked, reconciles under lease and API calls in flight: now the SIGTERM.
    const inFlight = await waitFor(
      async () => {
        const rows = await syncRows();
        const leased = rows.filter((r) => r.lease_owner !== null);
        const state = await sandbox.admin.state();
        return rows.length === CONTRACTS && leased.length > 0 && state.concurrency.inFlight > 0 ? leased.map((r) => Number(r.contract_id)) : null;
      },
      { timeoutMs: TIMEOUT, intervalMs: 50, what: 'every contract marked and reconciles in flight' },
    );
    expect(await worker.stop()).toBe(0);
    const ends = await topicEnds();

    // Nothing left in flight on the platform (a call given back by the worker ends there too).
    await waitFor(async () => (await sandbox.admin.state()).concurrency.inFlight === 0, { timeoutMs: TIMEOUT, what: 'no API call in flight' });
    const rows = await syncRows();
    expect(rows).toHaveLength(CONTRACTS);
    // Every lease released: a reconcile in flight either finished or gave its contract back.
    expect(rows.filter((r) => r.lease_owner !== null || r.lease_expires_at !== null)).toEqual([]);
    const done = rows.filter((r) => Number(r.dirty) === 0).map((r) => Number(r.contract_id));
    const givenBack = rows.filter((r) => Number(r.dirty) === 1).map((r) => Number(r.contract_id));
    // Stopped mid-drain: the in-flight ones ended one way or the other, and work was left for the restart.
    expect(inFlight.every((id) => done.includes(id) || givenBack.includes(id))).toBe(true);
    expect(givenBack.length).toBeGreaterThan(0);
    // A finished reconcile left the platform and licencas_iot complete for its contract.
    const atStop = checkWorld(expectations(done), await sandbox.admin.state(), await licencas(), tenant, documents);
    expect({ lost: atStop.lost, duplicates: atStop.duplicates, problems: atStop.problems }).toEqual({ lost: 0, duplicates: 0, problems: [] });
    // Offsets committed at stop cover every record read (all of them marked, so none runs ahead of a mark).
    const committed = await withKafkaAdmin((admin) => admin.fetchOffsets({ groupId, topics }));
    for (const t of committed) for (const p of t.partitions) expect({ key: `${t.topic}/${p.partition}`, offset: BigInt(p.offset) }).toEqual({ key: `${t.topic}/${p.partition}`, offset: ends.get(`${t.topic}/${p.partition}`) });

    // Restarted on the same group: the given-back contracts are reconciled, nothing twice.
    await sandbox.admin.clearFaults();
    const restarted = await launch();
    const report = await waitFor(
      async () => {
        const pending = (await syncRows()).filter((r) => Number(r.dirty) === 1).length;
        const r = checkWorld(expectations(ids), await sandbox.admin.state(), await licencas(), tenant, documents);
        return pending === 0 && r.lost === 0 ? r : null;
      },
      { timeoutMs: TIMEOUT, intervalMs: 500, what: 'every contract provisioned after the restart' },
    );
    expect(report).toMatchObject({ contracts: CONTRACTS, lost: 0, duplicates: 0 });
    const state = await sandbox.admin.state();
    expect(state.customers.filter((c) => c.document !== null && documents.has(c.document))).toHaveLength(CONTRACTS);
    expect(state.subscriptions.filter((s) => s.external_id?.startsWith(`ixc:${tenant}:`))).toHaveLength(CONTRACTS);
    expect(state.licences.filter((l) => l.external_id?.startsWith(`ixc:${tenant}:`))).toHaveLength(CONTRACTS);
    expect(await licencas()).toHaveLength(CONTRACTS);
    expect(await restarted.stop()).toBe(0);
  });
});
