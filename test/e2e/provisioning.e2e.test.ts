import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import { DLQ_HEADERS } from '../../src/consumers/dead-letter';
import { changeTopic, changeTopics } from '../../src/consumers/change-topics';
import type { SandboxAdminState } from '../../src/sandbox/sandbox-admin';
import { cdcConfig, cdcDatabase, cdcKafka, randomGroupId } from '../helpers/cdc-stack';
import { createIxcWorld, makeCpf, type IxcWorld } from '../helpers/ixc-world';
import { startSandboxProcess, type SandboxProcess } from '../helpers/sandbox-process';
import { waitFor } from '../helpers/wait-for';
import { startWorkerProcess, testWorkerEnv, type WorkerProcess } from '../helpers/worker-process';

// This file owns ids 910000-919999 and integration 91 on the captured database.
const BASE = 910_000;
const INTEGRATION = 91;
const P_CASA = BASE + 1;
const P_CAMERA = BASE + 2;
const P_SENSOR = BASE + 3;
const PLAN = BASE + 1;
const TIMEOUT = 90_000;
/** `licencas_iot.status` of a provisioned, not blocked licence: pending until a device activates it, then active. */
const PROVISIONED = ['P', 'A'];
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

describe('event-driven provisioning through MariaDB → Debezium → Kafka → worker → sandbox → MariaDB', () => {
  const tenant = `e2e${randomBytes(3).toString('hex')}`;
  const syncSchema = `ixc_iot_sync_e2e_${randomBytes(3).toString('hex')}`;
  const groupId = randomGroupId('e2e-worker');
  let conn: mysql.Connection;
  let world: IxcWorld;
  let sandbox: SandboxProcess;
  let worker: WorkerProcess;
  const launched: WorkerProcess[] = [];
  const launch = async (env: Record<string, string>): Promise<WorkerProcess> => {
    const started = await startWorkerProcess(env);
    launched.push(started);
    return started;
  };

  const workerEnv = (group = groupId): Record<string, string> =>
    testWorkerEnv(
      { sandbox, tenant, integration: INTEGRATION, syncSchema, groupId: group },
      // More slots than Node's default of 10 listeners per signal: see the warning check in afterAll.
      { RECONCILE_CONCURRENCY: '16', IXC_DB_POOL_SIZE: '24', LOG_LEVEL: 'info' },
    );
  const state = (): Promise<SandboxAdminState> => sandbox.admin.state();
  const subscriptionOf = (s: SandboxAdminState, contract: number) => s.subscriptions.filter((x) => x.external_id?.startsWith(`ixc:${tenant}:contrato:${contract}`) && !x.external_id.includes(':produto:'));
  const licencesOf = (s: SandboxAdminState, contract: number) => s.licences.filter((l) => l.external_id?.startsWith(`ixc:${tenant}:contrato:${contract}:produto:`));
  const live = <T extends { status: string }>(xs: T[]) => xs.filter((x) => x.status !== 'revoked' && x.status !== 'cancelled');
  const licencas = (contract: number) =>
    world.query<{ id: number; status: string; id_licenca_integracao: string; codigo_licenca_integracao: string; id_assinatura_integracao: string }>(
      'SELECT id, status, id_licenca_integracao, codigo_licenca_integracao, id_assinatura_integracao FROM licencas_iot WHERE id_contrato = ? ORDER BY id',
      [contract],
    );
  const items = (contract: number) =>
    world.query<{ id_vd_contrato_produto: number; quantidade: number }>(
      `SELECT lp.id_vd_contrato_produto, lp.quantidade FROM licencas_produtos_iot lp JOIN licencas_iot li ON li.id = lp.id_licenca_iot
        WHERE li.id_contrato = ? ORDER BY lp.id_vd_contrato_produto`,
      [contract],
    );
  /** Write-backs whose end-to-end latency (source.ts_ms → write-back) was within 30 s, so far. */
  const within30s = async () => {
    const metrics = await (await fetch(`${worker.opsUrl}/metrics`)).text();
    return Number(/^ixc_iot_sync_end_to_end_latency_seconds_bucket\{le="30"\} (\S+)$/m.exec(metrics)?.[1] ?? 0);
  };
  /** The contract's rows once there are exactly `count` of them and all pass `ok` (an empty tab never passes). */
  const rowsWhen = async (contract: number, count: number, ok: (status: string) => boolean) => {
    const r = await licencas(contract);
    return r.length === count && r.every((x) => ok(x.status)) ? r : null;
  };
  const generations = async () =>
    new Map(
      (await world.query<{ contract_id: number; generation: string }>(`SELECT contract_id, generation FROM \`${syncSchema}\`.contract_sync WHERE contract_id BETWEEN ? AND ?`, [BASE, BASE + 9999])).map((r) => [
        Number(r.contract_id),
        BigInt(r.generation),
      ]),
    );
  /** Each change topic's partitions and their current end offsets. */
  const topicEnds = async () => {
    const config = cdcConfig();
    const admin = cdcKafka().admin();
    await admin.connect();
    try {
      const ends = new Map<string, bigint>();
      for (const topic of changeTopics(config.kafka.topicPrefix, config.db.ixcDatabase)) {
        for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
      }
      return ends;
    } finally {
      await admin.disconnect();
    }
  };
  /** The group's committed offsets on the change topics (-1 before its first commit). */
  const committed = async (group: string) => {
    const config = cdcConfig();
    const admin = cdcKafka().admin();
    await admin.connect();
    try {
      const offsets = new Map<string, bigint>();
      for (const t of await admin.fetchOffsets({ groupId: group, topics: changeTopics(config.kafka.topicPrefix, config.db.ixcDatabase) })) {
        for (const p of t.partitions) offsets.set(`${t.topic}/${p.partition}`, BigInt(p.offset));
      }
      return offsets;
    } finally {
      await admin.disconnect();
    }
  };
  const caughtUp = (offsets: Map<string, bigint>, ends: Map<string, bigint>) => [...ends].every(([key, end]) => (offsets.get(key) ?? -1n) >= end);
  /** Waits until the worker has nothing dirty left for these contracts. */
  const settled = (...contracts: number[]) =>
    waitFor(
      async () => {
        const rows = await world.query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${syncSchema}\`.contract_sync WHERE contract_id IN (?) AND dirty = 1`, [contracts]);
        return Number(rows[0]?.n) === 0;
      },
      { timeoutMs: TIMEOUT, what: `contracts ${contracts.join(', ')} to settle` },
    );

  beforeAll(async () => {
    conn = await cdcDatabase();
    world = createIxcWorld(conn, BASE, INTEGRATION);
    sandbox = await startSandboxProcess();
    await world.clean();
    await world.integration(sandbox.clientId, sandbox.clientSecret);
    await world.product(P_CASA, 'Casa Inteligente (e2e)', 'OLLI-CASA-INTELIGENTE');
    await world.product(P_CAMERA, 'Câmera IoT (e2e)', 'OLLI-CAMERA');
    await world.product(P_SENSOR, 'Sensor de porta (e2e)', 'OLLI-SENSOR-PORTA');
    await world.plan(PLAN, 'FIBRA + CASA (e2e)');
    await world.line(BASE + 1, { id_vd_contrato: PLAN, id_produto: P_CASA, qtde: 1 });
    worker = await launch(workerEnv());
  });

  afterAll(async () => {
    const code = await worker?.stop();
    // The worker's log is kept as a test artifact: the first place to look when a step times out.
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'e2e-provisioning-worker.log'), launched.map((w, i) => `=== worker ${i} (pid ${w.pid})\n${w.output()}`).join('\n'));
    await sandbox?.stop();
    await conn?.query(`DROP DATABASE IF EXISTS \`${syncSchema}\``);
    await conn?.end();
    expect(code).toBe(0);
    // Slots listen on shared abort signals; a false leak warning on every start alarms operators.
    expect(launched.map((w) => w.output()).join('\n')).not.toContain('MaxListenersExceededWarning');
  });

  it('scenario 1: a new customer signs a contract with IoT products: customer, subscription and licences created and written back', async () => {
    await world.customer(BASE + 1);
    await world.contract(BASE + 1, { id_cliente: BASE + 1, id_vd_contrato: PLAN });
    await world.line(BASE + 11, { id_contrato: BASE + 1, id_produto: P_CAMERA, qtde: 2 });

    const rows = await waitFor(async () => {
      const r = await licencas(BASE + 1);
      return r.length === 2 && r.every((x) => PROVISIONED.includes(x.status)) ? r : null;
    }, { timeoutMs: TIMEOUT, what: 'two provisioned licences written back' });
    const s = await state();
    expect(s.customers.filter((c) => c.document === makeCpf(BASE + 1).replace(/\D/g, ''))).toHaveLength(1);
    const [sub] = subscriptionOf(s, BASE + 1);
    expect(sub).toMatchObject({ status: 'active', external_id: `ixc:${tenant}:contrato:${BASE + 1}` });
    const lic = licencesOf(s, BASE + 1);
    expect(lic.map((l) => [l.items[0]?.product_id, l.items[0]?.quantity]).sort()).toEqual([
      ['OLLI-CAMERA', 2],
      ['OLLI-CASA-INTELIGENTE', 1],
    ]);
    // A new licence is pending until a device activates it; IXC shows it as P (or A once active).
    expect(lic.every((l) => l.status === 'pending' || l.status === 'active')).toBe(true);
    expect(rows.map((r) => r.id_licenca_integracao).sort()).toEqual(lic.map((l) => l.id).sort());
    expect(rows.every((r) => r.id_assinatura_integracao === sub!.id)).toBe(true);
    expect(rows.map((r) => r.codigo_licenca_integracao).sort()).toEqual(lic.map((l) => l.code).sort());
    expect(await items(BASE + 1)).toEqual([
      { id_vd_contrato_produto: BASE + 1, quantidade: 1 },
      { id_vd_contrato_produto: BASE + 11, quantidade: 2 },
    ]);
  });

  it('scenario 2: an existing platform customer adds devices to an existing contract: found, not created; licence added to the same subscription', async () => {
    const cpf = makeCpf(BASE + 2);
    const token = (await (
      await fetch(`${sandbox.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: sandbox.clientId, client_secret: sandbox.clientSecret }),
      })
    ).json()) as { access_token: string };
    const created = await fetch(`${sandbox.url}/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.access_token}`, 'idempotency-key': `e2e-${randomBytes(4).toString('hex')}` },
      body: JSON.stringify({ name: 'Cliente Pré-existente', document: cpf.replace(/\D/g, ''), document_type: 'CPF' }),
    });
    expect(created.status).toBe(201);
    const existing = (await created.json()) as { id: string };

    await world.customer(BASE + 2);
    await world.contract(BASE + 2, { id_cliente: BASE + 2, id_vd_contrato: PLAN });
    await waitFor(async () => (await licencas(BASE + 2)).length === 1, { timeoutMs: TIMEOUT, what: 'the plan licence' });
    const before = await state();
    const [sub] = subscriptionOf(before, BASE + 2);
    expect(sub?.customer_id).toBe(existing.id);

    await world.line(BASE + 21, { id_contrato: BASE + 2, id_produto: P_SENSOR, qtde: 3 });
    await waitFor(async () => (await licencas(BASE + 2)).length === 2, { timeoutMs: TIMEOUT, what: 'the sensor licence' });
    const after = await state();
    expect(after.customers.filter((c) => c.document === cpf.replace(/\D/g, ''))).toHaveLength(1);
    expect(subscriptionOf(after, BASE + 2)).toHaveLength(1);
    const sensor = licencesOf(after, BASE + 2).find((l) => l.items[0]?.product_id === 'OLLI-SENSOR-PORTA');
    expect(sensor).toMatchObject({ subscription_id: sub!.id, items: [{ product_id: 'OLLI-SENSOR-PORTA', quantity: 3 }] });
    expect(['pending', 'active']).toContain(sensor?.status);
  });

  it('block and unblock: overdue suspends and blocks, paid reactivates', async () => {
    const within30sBefore = await within30s();
    await conn.query(`UPDATE cliente_contrato SET status_internet = 'CA' WHERE id = ?`, [BASE + 1]);
    await waitFor(() => rowsWhen(BASE + 1, 2, (x) => x === 'B'), { timeoutMs: TIMEOUT, what: 'both licences blocked' });
    let s = await state();
    expect(subscriptionOf(s, BASE + 1)[0]?.status).toBe('suspended');
    expect(licencesOf(s, BASE + 1).every((l) => l.status === 'blocked')).toBe(true);

    await conn.query(`UPDATE cliente_contrato SET status_internet = 'A' WHERE id = ?`, [BASE + 1]);
    await waitFor(() => rowsWhen(BASE + 1, 2, (x) => PROVISIONED.includes(x)), { timeoutMs: TIMEOUT, what: 'both licences unblocked' });
    s = await state();
    expect(subscriptionOf(s, BASE + 1)[0]?.status).toBe('active');
    expect(licencesOf(s, BASE + 1).every((l) => l.status === 'active' || l.status === 'pending')).toBe(true);

    // The reconciles of these two commits fed the end-to-end latency (source.ts_ms → write-back) in
    // seconds: counted from before them, so earlier scenarios cannot satisfy it.
    expect((await within30s()) - within30sBefore).toBeGreaterThanOrEqual(2);
  });

  it('a plan line added reaches every contract of the plan', async () => {
    await world.line(BASE + 2, { id_vd_contrato: PLAN, id_produto: P_CAMERA, qtde: 1 });
    await waitFor(
      async () => {
        const s = await state();
        const cam1 = licencesOf(s, BASE + 1).find((l) => l.items[0]?.product_id === 'OLLI-CAMERA');
        const cam2 = licencesOf(s, BASE + 2).find((l) => l.items[0]?.product_id === 'OLLI-CAMERA');
        return cam1?.items[0]?.quantity === 3 && cam2?.items[0]?.quantity === 1;
      },
      { timeoutMs: TIMEOUT, what: 'camera licences of both contracts on the plan' },
    );
    // Contract 1 keeps one camera licence (same id), now covering its own line and the plan line.
    const s = await state();
    expect(live(licencesOf(s, BASE + 1)).filter((l) => l.items[0]?.product_id === 'OLLI-CAMERA')).toHaveLength(1);
    await settled(BASE + 1, BASE + 2);
    expect(await items(BASE + 1)).toEqual([
      { id_vd_contrato_produto: BASE + 1, quantidade: 1 },
      { id_vd_contrato_produto: BASE + 2, quantidade: 1 },
      { id_vd_contrato_produto: BASE + 11, quantidade: 2 },
    ]);
  });

  it('a line moved between contracts moves its quantity', async () => {
    await conn.query('UPDATE vd_contratos_produtos SET id_contrato = ? WHERE id = ?', [BASE + 2, BASE + 11]);
    await waitFor(
      async () => {
        const s = await state();
        const cam1 = live(licencesOf(s, BASE + 1)).find((l) => l.items[0]?.product_id === 'OLLI-CAMERA');
        const cam2 = live(licencesOf(s, BASE + 2)).find((l) => l.items[0]?.product_id === 'OLLI-CAMERA');
        return cam1?.items[0]?.quantity === 1 && cam2?.items[0]?.quantity === 3;
      },
      { timeoutMs: TIMEOUT, what: 'the camera quantity to move from contract 1 to 2' },
    );
  });

  it("a customer's e-mail change is sent once, however many contracts the customer has", async () => {
    await world.contract(BASE + 3, { id_cliente: BASE + 1, id_vd_contrato: PLAN });
    await waitFor(async () => (await licencas(BASE + 3)).length === 2, { timeoutMs: TIMEOUT, what: 'the second contract of customer 1' });
    await settled(BASE + 1, BASE + 3);
    const before = (await state()).requestCounts['PATCH /customers/{id}'] ?? 0;
    await conn.query('UPDATE cliente SET email = ? WHERE id = ?', ['novo.email@example.com', BASE + 1]);
    await waitFor(async () => (await state()).customers.some((c) => c.email === 'novo.email@example.com'), { timeoutMs: TIMEOUT, what: 'the new e-mail' });
    await settled(BASE + 1, BASE + 3);
    expect((await state()).requestCounts['PATCH /customers/{id}']).toBe(before + 1);
  });

  it('a product unlinked revokes its licences; linked again, a new licence takes the next epoch', async () => {
    await world.linkProduct(P_SENSOR, null);
    await waitFor(async () => licencesOf(await state(), BASE + 2).some((l) => l.items[0]?.product_id === 'OLLI-SENSOR-PORTA' && l.status === 'revoked'), {
      timeoutMs: TIMEOUT,
      what: 'the sensor licence revoked',
    });
    await world.linkProduct(P_SENSOR, 'OLLI-SENSOR-PORTA');
    const relinked = await waitFor(
      async () => live(licencesOf(await state(), BASE + 2)).find((l) => l.items[0]?.product_id === 'OLLI-SENSOR-PORTA'),
      { timeoutMs: TIMEOUT, what: 'a new sensor licence' },
    );
    expect(relinked.external_id).toBe(`ixc:${tenant}:contrato:${BASE + 2}:produto:OLLI-SENSOR-PORTA:2`);
  });

  it('cancellation revokes the licences and cancels the subscription; a deleted contract too', async () => {
    await conn.query(`UPDATE cliente_contrato SET status = 'I' WHERE id = ?`, [BASE + 3]);
    await conn.query('DELETE FROM cliente_contrato WHERE id = ?', [BASE + 2]);
    await waitFor(
      async () => {
        const s = await state();
        return [BASE + 2, BASE + 3].every((c) => subscriptionOf(s, c)[0]?.status === 'cancelled' && licencesOf(s, c).every((l) => l.status === 'revoked'));
      },
      { timeoutMs: TIMEOUT, what: 'both contracts cancelled' },
    );
    await settled(BASE + 2, BASE + 3);
    // One row per licence the contract ever had, each marked I: none deleted, none left behind.
    const s = await state();
    for (const c of [BASE + 2, BASE + 3]) {
      const rows = await licencas(c);
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect({ c, ids: rows.map((r) => r.id_licenca_integracao).sort(), statuses: [...new Set(rows.map((r) => r.status))] }).toEqual({
        c,
        ids: licencesOf(s, c).map((l) => l.id).sort(),
        statuses: ['I'],
      });
    }
  });

  it('an undecodable record goes to the dead-letter topic with its headers and consumption goes on', async () => {
    const config = cdcConfig();
    const kafka = cdcKafka();
    const producer = kafka.producer();
    await producer.connect();
    const topic = changeTopic(config.kafka.topicPrefix, config.db.ixcDatabase, 'cliente_contrato');
    const sent = await producer.send({ topic, messages: [{ key: '{"id":919999}', value: 'this is not json' }] });
    // A tombstone for the same key lets compaction drop the poison record from the shared topic.
    await producer.send({ topic, messages: [{ key: '{"id":919999}', value: null }] });
    await producer.disconnect();
    const offset = sent[0]!.baseOffset!;

    const dlq = kafka.consumer({ groupId: randomGroupId('dlq-reader') });
    const letters: Array<{ value: string; headers: Record<string, string> }> = [];
    await dlq.connect();
    await dlq.subscribe({ topic: config.kafka.dlqTopic, fromBeginning: true });
    await dlq.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        letters.push({ value: message.value?.toString() ?? '', headers });
      },
    });
    try {
      const letter = await waitFor(() => letters.find((l) => l.headers[DLQ_HEADERS.originalOffset] === offset && l.headers[DLQ_HEADERS.originalTopic] === topic), {
        timeoutMs: TIMEOUT,
        what: 'the dead letter',
      });
      expect(letter.value).toBe('this is not json');
      expect(letter.headers).toMatchObject({ [DLQ_HEADERS.originalPartition]: '0', [DLQ_HEADERS.errorClass]: 'EnvelopeDecodeError', [DLQ_HEADERS.errorMessage]: 'value is not JSON' });
    } finally {
      await dlq.disconnect();
    }
    // Consumption goes on: a later change is still provisioned.
    await conn.query(`UPDATE cliente_contrato SET status_internet = 'CM' WHERE id = ?`, [BASE + 1]);
    await waitFor(() => rowsWhen(BASE + 1, 2, (x) => x === 'B'), { timeoutMs: TIMEOUT, what: 'contract 1 blocked after the poison record' });
    await conn.query(`UPDATE cliente_contrato SET status_internet = 'A' WHERE id = ?`, [BASE + 1]);
    await waitFor(() => rowsWhen(BASE + 1, 2, (x) => PROVISIONED.includes(x)), { timeoutMs: TIMEOUT, what: 'contract 1 unblocked again' });
  });

  it('once converged, a restart, re-delivered events and a replay from the start with a new group read and mark everything and change nothing on the platform', async () => {
    await settled(BASE + 1, BASE + 2, BASE + 3);
    const writesBefore = (await state()).writeCalls;
    const licencasBefore = await world.query('SELECT * FROM licencas_iot WHERE id_contrato BETWEEN ? AND ? ORDER BY id', [BASE, BASE + 9999]);

    // Restart mid-stream: while the worker is down, contract 1 is blocked and unblocked again (two
    // relevant changes whose net effect is nothing). The restarted worker, same group, resumes from
    // its committed offsets: it reads both, marks the contract and finds nothing to write.
    expect(await worker.stop()).toBe(0);
    const beforeRestart = await generations();
    const endsBefore = await topicEnds();
    await conn.query(`UPDATE cliente_contrato SET status_internet = 'CA', obs = ? WHERE id = ?`, [`down ${Date.now()}`, BASE + 1]);
    await conn.query(`UPDATE cliente_contrato SET status_internet = 'A', obs = ? WHERE id = ?`, [`up ${Date.now()}`, BASE + 1]);
    const contractTopic = `${changeTopic(cdcConfig().kafka.topicPrefix, cdcConfig().db.ixcDatabase, 'cliente_contrato')}/0`;
    const endsAfter = await waitFor(async () => {
      const ends = await topicEnds();
      return (ends.get(contractTopic) ?? 0n) >= (endsBefore.get(contractTopic) ?? 0n) + 2n ? ends : null;
    }, { timeoutMs: TIMEOUT, what: 'both changes captured while the worker is down' });
    worker = await launch(workerEnv());
    await waitFor(async () => {
      if (!caughtUp(await committed(groupId), endsAfter)) throw new Error('the group has not committed past both changes yet');
      if (!((await generations()).get(BASE + 1)! > beforeRestart.get(BASE + 1)!)) throw new Error('both changes read, but contract 1 not marked');
      return true;
    }, {
      timeoutMs: TIMEOUT,
      what: 'the restarted worker to read both changes and mark contract 1',
    });
    await settled(BASE + 1, BASE + 2, BASE + 3);
    expect((await state()).writeCalls).toBe(writesBefore);

    // A replay from the start: a second worker in a brand-new group reads every change topic to its
    // end and marks every contract of the range again; each mark is reconciled (dirty cleared only
    // by a reconcile of that generation) and finds nothing to write.
    const beforeReplay = await generations();
    expect([...beforeReplay.keys()]).toEqual(expect.arrayContaining([BASE + 1, BASE + 2, BASE + 3]));
    const replayEnds = await topicEnds();
    const replayGroup = randomGroupId('e2e-replay');
    const replay = await launch(workerEnv(replayGroup));
    try {
      await waitFor(
        async () => {
          // Thrown, not just false: on timeout waitFor reports which half never held.
          if (!caughtUp(await committed(replayGroup), replayEnds)) throw new Error('the replay group has not committed the topic ends yet');
          const now = await generations();
          const unmarked = [...beforeReplay].filter(([contract, generation]) => !(now.get(contract)! > generation)).map(([contract]) => contract);
          if (unmarked.length > 0) throw new Error(`read to the end, but not marked again: contracts ${unmarked.join(', ')}`);
          return true;
        },
        { timeoutMs: TIMEOUT, what: 'the replay to read every topic to its end and mark every contract again' },
      );
      await settled(BASE + 1, BASE + 2, BASE + 3);
      const metrics = await (await fetch(`${replay.opsUrl}/metrics`)).text();
      expect(Number(/^ixc_iot_sync_contracts_marked_total (\S+)$/m.exec(metrics)?.[1] ?? 0)).toBeGreaterThanOrEqual(3);
    } finally {
      expect(await replay.stop()).toBe(0);
    }
    expect((await state()).writeCalls).toBe(writesBefore);
    expect(await world.query('SELECT * FROM licencas_iot WHERE id_contrato BETWEEN ? AND ? ORDER BY id', [BASE, BASE + 9999])).toEqual(licencasBefore);
  });
});
