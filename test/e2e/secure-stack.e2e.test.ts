import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import mysql from 'mysql2/promise';
import { loadConfig } from '../../src/config/load-config';
import { runMigrations } from '../../src/migrations/run-migrations';
import { createLocalStack, type LocalStack } from '../../src/stack/local-stack';
import { createStackLayout } from '../../src/stack/stack-layout';
import { cdcConfig } from '../helpers/cdc-stack';
import { freePorts } from '../helpers/free-ports';
import { createIxcWorld, type IxcWorld } from '../helpers/ixc-world';
import { startSandboxProcess, type SandboxProcess } from '../helpers/sandbox-process';
import { waitFor } from '../helpers/wait-for';
import { startWorkerProcess, testWorkerEnv, type WorkerProcess } from '../helpers/worker-process';

const BASE = 930_000;
const INTEGRATION = 93;
const P_CASA = BASE + 1;
const P_CAMERA = BASE + 2;
const PLAN = BASE + 1;
const TIMEOUT = 120_000;
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

/**
 * The secured local stack (`stack up --secure`) on its own ports and home, started and stopped by
 * this file: SASL_SSL-only Kafka, MariaDB requiring TLS for the worker's and Debezium's users,
 * Connect reading the connector's secrets through its FileConfigProvider. The jars come from the
 * cdc project's stack home (linked, not copied).
 */
describe('secured local stack: MariaDB -> Debezium (TLS) -> Kafka (SASL_SSL) -> worker (TLS + SCRAM) -> sandbox -> write-back over TLS', () => {
  const tenant = `sec${randomBytes(3).toString('hex')}`;
  const syncSchema = `ixc_iot_sync_secure_${randomBytes(3).toString('hex')}`;
  let home: string;
  let stack: LocalStack | undefined;
  let ports: { db: number; kafka: number; controller: number; connect: number };
  let secureEnv: Record<string, string>;
  let root: mysql.Connection;
  let world: IxcWorld;
  let sandbox: SandboxProcess;
  let worker: WorkerProcess | undefined;

  const secret = (file: string): string => readFileSync(path.join(home, 'config', file), 'utf8').trim();
  const kafkaAdmin = (options: Partial<KafkaConfig>) =>
    new Kafka({ clientId: 'secure-e2e-probe', brokers: [`127.0.0.1:${ports.kafka}`], logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 5000, retry: { retries: 0 }, ...options }).admin();
  const listTopics = async (options: Partial<KafkaConfig>): Promise<string[]> => {
    const admin = kafkaAdmin(options);
    try {
      await admin.connect();
      return await admin.listTopics();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
  const ca = (): string => readFileSync(secureEnv.KAFKA_TLS_CA_FILE!, 'utf8');

  beforeAll(async () => {
    const [db, kafka, controller, connect] = await freePorts(4);
    ports = { db: db!, kafka: kafka!, controller: controller!, connect: connect! };
    home = mkdtempSync(path.join(os.tmpdir(), 'ixc-secure-stack-'));
    const shared = createStackLayout(cdcConfig().stack.home);
    symlinkSync(shared.lib, path.join(home, 'lib'));
    symlinkSync(shared.plugins, path.join(home, 'plugins'));
    copyFileSync(shared.stampFile, path.join(home, 'versions.json'));
    const config = loadConfig({
      CDC_HOME: home,
      CDC_DB_PORT: String(ports.db),
      CDC_KAFKA_PORT: String(ports.kafka),
      CDC_CONTROLLER_PORT: String(ports.controller),
      CDC_CONNECT_PORT: String(ports.connect),
      CDC_SECURE: 'true',
    });
    stack = createLocalStack(config, { report: (line) => process.stdout.write(`[secure stack] ${line}\n`) });
    const t0 = Date.now();
    await stack.up();
    process.stdout.write(`[secure stack] up in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

    secureEnv = Object.fromEntries(
      readFileSync(path.join(home, 'secure.env'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    // IXC's IoT tables and the project schema, through the worker's TLS-only user (TypeORM over TLS).
    await runMigrations(loadConfig({ ...secureEnv, SYNC_DB_SCHEMA: syncSchema }).db);
    // Root stays a loopback, development-only login of the stack (its admin); it writes the scenario.
    root = await mysql.createConnection({ host: '127.0.0.1', port: ports.db, user: 'root', password: '', database: 'ixcprovedor', dateStrings: true });
    world = createIxcWorld(root, BASE, INTEGRATION);
    // A sandbox start competes with three JVMs that just started: a generous bound.
    sandbox = await startSandboxProcess({ startTimeoutMs: 120_000 });
    await world.integration(sandbox.clientId, sandbox.clientSecret);
    await world.product(P_CASA, 'Casa Inteligente (secure)', 'OLLI-CASA-INTELIGENTE');
    await world.product(P_CAMERA, 'Câmera IoT (secure)', 'OLLI-CAMERA');
    await world.plan(PLAN, 'FIBRA + CASA (secure)');
    await world.line(BASE + 1, { id_vd_contrato: PLAN, id_produto: P_CASA, qtde: 1 });
    worker = await startWorkerProcess({
      ...testWorkerEnv({ sandbox, tenant, integration: INTEGRATION, syncSchema, groupId: `secure-e2e-${randomBytes(4).toString('hex')}` }),
      ...secureEnv,
      CONNECT_URL: `http://127.0.0.1:${ports.connect}`,
      LOG_LEVEL: 'info',
    });
  });

  afterAll(async () => {
    const code = await worker?.stop();
    if (worker) {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(path.join(ARTIFACTS, 'e2e-secure-stack-worker.log'), worker.output());
    }
    await sandbox?.stop();
    await root?.end();
    await stack?.down();
    if (home) rmSync(home, { recursive: true, force: true });
    expect(code).toBe(0);
  });

  it('provisions a new contract end to end and writes the licences back, the worker on TLS + SCRAM-SHA-512 and TLS to MariaDB', async () => {
    await world.customer(BASE + 1);
    await world.contract(BASE + 1, { id_cliente: BASE + 1, id_vd_contrato: PLAN });
    await world.line(BASE + 11, { id_contrato: BASE + 1, id_produto: P_CAMERA, qtde: 2 });
    const rows = await waitFor(
      async () => {
        const r = await world.query<{ status: string; id_licenca_integracao: string }>('SELECT status, id_licenca_integracao FROM licencas_iot WHERE id_contrato = ?', [BASE + 1]);
        return r.length === 2 && r.every((x) => ['P', 'A'].includes(x.status)) ? r : null;
      },
      { timeoutMs: TIMEOUT, what: 'two provisioned licences written back through the secured stack' },
    );
    const licences = (await sandbox.admin.state()).licences.filter((l) => l.external_id?.startsWith(`ixc:${tenant}:contrato:${BASE + 1}:`));
    expect(rows.map((r) => r.id_licenca_integracao).sort()).toEqual(licences.map((l) => l.id).sort());

    // Nothing secret in what the worker printed.
    const output = worker!.output();
    for (const value of [secureEnv.IXC_DB_PASSWORD!, secret('secrets/kafka-worker.password')]) expect(output).not.toContain(value);
  });

  it('refuses a plaintext Kafka client, a TLS client without SASL and a wrong SCRAM password', async () => {
    await expect(listTopics({})).rejects.toThrow();
    await expect(listTopics({ ssl: { ca: [ca()] } })).rejects.toThrow();
    await expect(
      listTopics({ ssl: { ca: [ca()] }, sasl: { mechanism: 'scram-sha-512', username: secureEnv.KAFKA_SASL_USERNAME!, password: 'not-the-password' } }),
    ).rejects.toThrow();
    // The broker's certificate is checked: TLS with a CA that did not sign it fails too.
    await expect(listTopics({ ssl: { rejectUnauthorized: true }, sasl: { mechanism: 'scram-sha-512', username: secureEnv.KAFKA_SASL_USERNAME!, password: secret('secrets/kafka-worker.password') } })).rejects.toThrow();
    const topics = await listTopics({ ssl: { ca: [ca()] }, sasl: { mechanism: 'scram-sha-512', username: secureEnv.KAFKA_SASL_USERNAME!, password: secret('secrets/kafka-worker.password') } });
    expect(topics).toContain('ixc.ixcprovedor.cliente_contrato');
  });

  it("refuses non-TLS MariaDB logins of the worker's and Debezium's users, and accepts them over verified TLS", async () => {
    const users = [
      { user: secureEnv.IXC_DB_USER!, password: secureEnv.IXC_DB_PASSWORD! },
      { user: 'debezium', password: secret('debezium.secret') },
    ];
    for (const { user, password } of users) {
      await expect(mysql.createConnection({ host: '127.0.0.1', port: ports.db, user, password })).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
      const tls = await mysql.createConnection({ host: '127.0.0.1', port: ports.db, user, password, ssl: { ca: ca(), rejectUnauthorized: true } });
      try {
        const [rows] = await tls.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_version'");
        expect(String(rows[0]?.Value)).toMatch(/^TLS/);
      } finally {
        await tls.end();
      }
    }
  });

  it('keeps every secret out of the connector config Connect stores and serves (GET /connectors/<name>/config)', async () => {
    const response = await fetch(`http://127.0.0.1:${ports.connect}/connectors/ixc-mariadb-cdc/config`);
    expect(response.status).toBe(200);
    const body = await response.text();
    const config = JSON.parse(body) as Record<string, string>;
    expect(config['database.password']).toMatch(/^\$\{file:.+:database\.password\}$/);
    expect(config['database.ssl.mode']).toBe('verify-ca');
    for (const file of ['debezium.secret', 'secrets/store.password', 'secrets/kafka-connect.password', 'secrets/kafka-admin.password', 'secrets/kafka-broker.password']) {
      expect(body).not.toContain(secret(file));
    }
  });
});
