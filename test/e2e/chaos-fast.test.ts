import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import { createChaosWorld, type ChaosWorld } from '../../chaos/chaos-world';
import { collectLeakSources } from '../../chaos/leak-sources';
import { poisonCpfs, runPoisonCase, type PoisonOutcome } from '../../chaos/poison-input';
import { scanForSecrets } from '../../chaos/secret-scan';
import { changeTopics } from '../../src/consumers/change-topics';
import { cdcConfig, cdcDatabase, cdcKafka, randomGroupId } from '../helpers/cdc-stack';
import { startSandboxProcess, type SandboxProcess } from '../helpers/sandbox-process';
import { waitFor } from '../helpers/wait-for';
import { startWorkerProcess, testWorkerEnv, type WorkerProcess } from '../helpers/worker-process';

// This file owns ids 930000-939999 and integration 93 on the shared captured database. It runs the
// fast chaos cases (one SIGKILL mid-drain, poison and odd input, the leak search) on the SHARED stack:
// nothing here restarts Kafka, MariaDB or Connect (npm run chaos does that on a stack of its own).
const BASE = 930_000;
const INTEGRATION = 93;
const CONTRACTS = 30;
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

describe('chaos (fast cases): a kill mid-drain, poison input, no secret or personal data leaked', () => {
  const tenant = `chaos${randomBytes(3).toString('hex')}`;
  const syncSchema = `ixc_iot_sync_chaos_${randomBytes(3).toString('hex')}`;
  const groupId = randomGroupId('chaos-worker');
  const config = cdcConfig();
  const kafka = cdcKafka();
  let conn: mysql.Connection;
  let world: ChaosWorld;
  let sandbox: SandboxProcess;
  let worker: WorkerProcess;
  const launched: WorkerProcess[] = [];
  let poison: PoisonOutcome;

  const launch = async (): Promise<WorkerProcess> => {
    const started = await startWorkerProcess(testWorkerEnv({ sandbox, tenant, integration: INTEGRATION, syncSchema, groupId }, {
      IOT_MAX_RPS: '100',
      // Contracts a killed worker had claimed wait for its lease to expire (120 s by default).
      RECONCILE_BUDGET_MS: '10000',
      RECONCILE_LEASE_MS: '20000',
      LOG_LEVEL: 'info',
    }));
    launched.push(started);
    return started;
  };
  const converged = async () => {
    const report = await world.check(await sandbox.admin.state(), tenant);
    return (await world.dirtyCount(syncSchema)) === 0 && report.lost === 0 && report.duplicates === 0 ? report : null;
  };

  beforeAll(async () => {
    conn = await cdcDatabase();
    world = createChaosWorld(conn, BASE, INTEGRATION);
    sandbox = await startSandboxProcess();
    await world.ixc.clean();
    await world.ixc.integration(sandbox.clientId, sandbox.clientSecret);
    // The group starts at the current end of the shared topics: every row of this file is written
    // later, and the worker does not wade through other tests' history first.
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of changeTopics(config.kafka.topicPrefix, config.db.ixcDatabase)) {
        const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: p.high }));
        await admin.setOffsets({ groupId, topic, partitions });
      }
    } finally {
      await admin.disconnect();
    }
    worker = await launch();
  });

  afterAll(async () => {
    const code = await worker?.stop();
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'e2e-chaos-worker.log'), launched.map((w, i) => `=== worker ${i} (pid ${w.pid})\n${w.output()}`).join('\n'));
    expect(code).toBe(0);
    await sandbox?.stop();
    await world?.ixc.clean();
    await conn?.query(`DROP DATABASE IF EXISTS \`${syncSchema}\``);
    await conn?.end();
  });

  it('SIGKILL mid-drain, restarted: every contract converges, nothing duplicated', async () => {
    await world.seed(CONTRACTS);
    // Provisioned first, so the final suspensions and cancellations have something to act on.
    await waitFor(converged, { timeoutMs: 120_000, intervalMs: 1000, what: 'the first provisioning' });
    expect((await sandbox.admin.state()).subscriptions.length).toBe(CONTRACTS);
    const churn = world.churn(600, { batchPause: 30 });
    // Killed while the drain is under way: contracts still dirty or events still being written.
    await waitFor(async () => (await world.dirtyCount(syncSchema)) > 0, { timeoutMs: 60_000, what: 'the drain to start' });
    await worker.kill();
    worker = await launch();
    await churn;
    const report = await waitFor(converged, { timeoutMs: 150_000, intervalMs: 1000, what: 'convergence after the kill' });
    expect(report).toMatchObject({ contracts: CONTRACTS, lost: 0, duplicates: 0 });
    // The oracle checked contracts of every kind, read back from IXC's rows (not from the churn's plan).
    for (const kind of ['active', 'suspended', 'cancelled', 'not-yet', 'hold'] as const) expect({ kind, checked: report.checked[kind] > 0 }).toEqual({ kind, checked: true });
    const rows = await world.ixc.query<{ n: number }>('SELECT COUNT(*) AS n FROM licencas_iot WHERE id_contrato BETWEEN ? AND ?', [BASE, BASE + 9999]);
    // One row per licence, revoked or not, for the whole world: none deleted instead of marked.
    expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(CONTRACTS * 2);
  });

  it('poison and odd input: no crash, clear recorded reasons, dead letters only for undecodable records, the blast-radius guard holds an unlink', async () => {
    poison = await runPoisonCase(conn, kafka, sandbox, {
      base: BASE,
      integrationId: INTEGRATION,
      tenant,
      syncSchema,
      topicPrefix: config.kafka.topicPrefix,
      ixcDatabase: config.db.ixcDatabase,
      dlqTopic: config.kafka.dlqTopic,
      // 500, not 5,000, on the shared stack: every run writes each of them to the shared topics
      // (insert, delete, tombstone), which tests reading those topics from the start then wade
      // through. `npm run chaos` runs the 5,000 on its own stack.
      bigContracts: 500,
      bigActive: 60,
      timeoutMs: 150_000,
    });
    const c = poison.contracts;
    for (const name of ['zeroDate', 'formattedCpf', 'bareCpf', 'alphanumericCnpj', 'missingEmail']) {
      expect({ name, platform: c[name]?.platform, parked: c[name]?.parked_reason }).toEqual({ name, platform: 'active', parked: null });
    }
    expect(c.invalidCpf?.parked_reason).toBeTruthy();
    expect(`${c.invalidCpf?.last_error}`).toMatch(/document|CPF/i);
    expect(c.emptyEnum?.platform).toBe('none');
    // Compared as sets: every group that reads the shared topics (other workers too) dead-letters
    // the same undecodable record, and a redelivery may write a letter twice (at least once).
    expect([...new Set(poison.deadLetters.map((d) => d.originalOffset))].sort()).toEqual([...poison.undecodableOffsets].sort());
    expect(poison.deadLetters.every((d) => d.errorClass === 'EnvelopeDecodeError')).toBe(true);
    expect(poison.big).toMatchObject({ contracts: 500, marked: 500, provisioned: 60, notYetTouched: 0 });
    expect(poison.big.parked).toBeGreaterThan(0);
    expect(poison.big.revoked + poison.big.parked).toBe(60);
    // One unlink is one change: held whole, nothing of it revoked before an operator confirms.
    expect(poison.big.revoked).toBe(0);
    expect(poison.big.parkedDetail).toMatch(/blast-radius threshold/);
    // The worker that took all of it is still the one running.
    expect(launched.filter((w) => w !== worker).length).toBe(1);
  });

  it('no client secret, issued token or unmasked CPF in logs, audit rows, dead letters or the status page', async () => {
    const sources = await collectLeakSources({
      workerOutputs: Object.fromEntries(launched.map((w, i) => [`worker-${i}`, w.output()])),
      db: conn,
      syncSchema,
      kafka,
      dlqTopic: config.kafka.dlqTopic,
      opsUrl: worker.opsUrl,
    });
    const tokens = await sandbox.admin.issuedTokens();
    expect(tokens.length).toBeGreaterThan(0);
    expect(sources.api_audit!.length).toBeGreaterThan(1000);
    expect(sources['status/']).toMatch(/^200/);
    expect(sources['status/status.json']).toMatch(/^200/);
    const documents = [...world.cpfs, ...poisonCpfs(BASE)];
    // The needles are real: the CPFs are in IXC and the secret in integracoes_iot.
    const [rows] = await conn.query('SELECT cnpj_cpf, razao, email, telefone_celular FROM cliente WHERE id = ?', [BASE + 1000]);
    expect((rows as unknown[])[0]).toEqual({ cnpj_cpf: world.cpfs[0], razao: world.personal.names[0], email: world.personal.emails[0], telefone_celular: world.personal.phones[0] });
    expect(scanForSecrets(sources, { clientSecret: sandbox.clientSecret, tokens, documents, ...world.personal })).toEqual([]);
  });
});
