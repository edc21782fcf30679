import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { ConfigError } from '../config/config-error';
import type { AppConfig } from '../config/app-config';
import { startWorker, type Worker } from '../cli/worker/create-worker';
import type { Queryable } from '../handlers/work-set/sql-helpers';
import { countReconciledSince, readContractSummary } from '../handlers/work-set/work-set-reads';
import { createLogger } from '../lib/logger';
import { runMigrations } from '../migrations/run-migrations';
import type { SandboxAdminState } from '../sandbox/sandbox-admin';
import { callSandboxAdmin } from '../sandbox/sandbox-admin-client';
import { runSandbox } from '../sandbox/run-sandbox';
import { createLocalStack } from '../stack/local-stack';
import { demoStory, DEMO_CLEANUP, type DemoStep } from './demo-story';
import { demoTargetProblems } from './demo-target';
import { describeContract, type ContractRow, type LicencaRow } from './demo-view';

interface DemoOptions {
  /** Keep the worker, the sandbox and the status page running after the story. @defaultValue false */
  keepRunning?: boolean;
  /** Per step. @defaultValue 120000 */
  stepTimeoutMs?: number;
}

/** Products of the seed sold as IoT (fixtures/ixc/README.md §2), linked to the sandbox's ids. */
const SEED_IOT_PRODUCTS = [5, 6, 7];
/** The seed's contracts holding those products; 2, 8 and 10 hold none, so the worker never marks them. */
const SEED_IOT_CONTRACTS = [1, 3, 4, 5, 6, 7, 9];
/** A valid CPF for the story's new customer (check digits computed, fictitious). */
const DEMO_CPF = '529.982.247-25';

/**
 * The README's main command: brings up the local CDC stack and the sandbox platform, links the
 * catalogue, runs the worker, lets it provision the seed, then plays a short story in IXC and
 * prints, after each step, what the platform holds and what IXC's "Licença IoT" rows say.
 */
export async function runDemo(base: Readonly<AppConfig>, print: (line?: string) => void, options: DemoOptions = {}): Promise<void> {
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const stepTimeoutMs = options.stepTimeoutMs ?? 120_000;
  const problems = demoTargetProblems(base);
  if (problems.length > 0) throw new ConfigError(problems);

  print('▶ 1. Local CDC stack: MariaDB (row binlog) → Kafka (KRaft) → Kafka Connect + Debezium');
  const stack = createLocalStack(base, { report: (line) => print(`    ${line}`) });
  await stack.up();

  print(`▶ 2. IoT platform sandbox (${elapsed()})`);
  const sandbox = await runSandbox(base.sandbox, { port: 0 });
  print(`    listening on ${sandbox.url} with credentials generated for this run`);

  const tenant = base.iot.tenantId ?? 'demo';
  const config: Readonly<AppConfig> = {
    ...base,
    // The local stack's MariaDB as its own administrator, whatever IXC_DB_USER says.
    db: { ...base.db, host: '127.0.0.1', port: base.stack.dbPort, user: 'root', password: '', syncSchema: `${base.db.syncSchema}_demo` },
    kafka: { ...base.kafka, groupId: `${base.kafka.groupId}-demo-${randomBytes(3).toString('hex')}` },
    iot: { ...base.iot, baseUrl: sandbox.url, tenantId: tenant, clientId: undefined, clientSecret: undefined },
    reconcile: { ...base.reconcile, pollIntervalMs: 250 },
    ops: { ...base.ops, port: 0 },
  };
  const db = await mysql.createConnection({ host: config.db.host, port: config.db.port, user: config.db.user, password: config.db.password, database: config.db.ixcDatabase });
  let worker: Worker | undefined;
  try {
    print(`▶ 3. IXC: integration ${config.iot.integrationId}, catalogue links, a fresh project schema (${elapsed()})`);
    await db.query(`DROP DATABASE IF EXISTS \`${config.db.syncSchema}\``);
    await prepareIxc(db, config, sandbox.clientId, sandbox.clientSecret);
    print(`    products ${SEED_IOT_PRODUCTS.join(', ')} linked to OLLI-CASA-INTELIGENTE, OLLI-CAMERA, OLLI-SENSOR-PORTA`);

    print(`▶ 4. Worker: consumer group ${config.kafka.groupId}, ${config.reconcile.concurrency} reconcile slots (${elapsed()})`);
    worker = await startWorker(config, createLogger({ level: 'warn', format: 'pretty' }), { opsPort: 0, migrate: true });
    print(`    status page ${worker.opsUrl}/  ·  metrics ${worker.opsUrl}/metrics`);

    const show = async (contracts: number[]): Promise<void> => {
      const state = await callSandboxAdmin<SandboxAdminState>(sandbox.url, 'GET', '/state');
      for (const id of contracts) {
        const [c] = await rows<ContractRow>(db, 'SELECT id, id_cliente, status, status_internet FROM cliente_contrato WHERE id = ?', [id]);
        const licencas = await rows<LicencaRow>(
          db,
          'SELECT id, id_contrato, status, id_licenca_integracao, codigo_licenca_integracao, descricao FROM licencas_iot WHERE id_contrato = ? AND id_integracao = ? ORDER BY id',
          [id, config.iot.integrationId],
        );
        const sync = await readContractSummary(queryable(db), config.db.syncSchema, id);
        for (const line of describeContract(tenant, c, id, state, licencas, sync)) print(line);
      }
    };

    print(`▶ 5. The snapshot: the worker provisions the seed's contracts (${elapsed()})`);
    await settle(db, config.db.syncSchema, SEED_IOT_CONTRACTS, new Date(0), stepTimeoutMs);
    await show(SEED_IOT_CONTRACTS);
    print('    (contracts 2, 8 and 10 have no IoT product: the worker does not even mark them)');

    const story = demoStory(DEMO_CPF);
    for (const [i, step] of story.entries()) {
      print();
      print(`▶ Story ${i + 1}/${story.length}: ${step.title} (${elapsed()})`);
      print(`    IXC: ${step.action}`);
      await playStep(db, config.db.syncSchema, step, stepTimeoutMs);
      await show(step.contracts);
      print(`    expected: ${step.expect}`);
    }
    const state = await callSandboxAdmin<SandboxAdminState>(sandbox.url, 'GET', '/state');
    print();
    print(`✔ Demo done in ${elapsed()}: ${state.customers.length} customers, ${state.subscriptions.length} subscriptions, ${state.licences.length} licences on the platform; ${state.writeCalls} write calls, overlapping writes per contract: ${state.overlapTotal}.`);
    if (options.keepRunning) {
      print(`  The worker keeps running: change rows in IXC (mariadb -h127.0.0.1 -P${config.db.port} -uroot ${config.db.ixcDatabase}) and watch ${worker.opsUrl}/ . Ctrl-C stops.`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    } else {
      print('  The CDC stack keeps running (`npm run cli -- stack down` stops it); `npm run demo -- --keep-running` leaves the worker up.');
    }
  } finally {
    await worker?.stop();
    await sandbox.server.close();
    await db.end();
  }
}

async function rows<T>(db: mysql.Connection, sql: string, params: unknown[]): Promise<T[]> {
  const [result] = await db.query(sql, params);
  return result as T[];
}

/** The connection as the work set's reads take it: a query answering with its rows. */
function queryable(db: mysql.Connection): Queryable {
  return { query: async (sql, params = []) => (await db.query(sql, params))[0] };
}

async function prepareIxc(db: mysql.Connection, config: Readonly<AppConfig>, clientId: string, clientSecret: string): Promise<void> {
  const integration = config.iot.integrationId;
  // The worker's migrations create IXC's IoT tables; the demo needs them before it starts.
  await runMigrations(config.db);
  await db.query(
    `INSERT INTO integracoes_iot (id, integracao, client_id, client_secret) VALUES (?, 'olli-sandbox', ?, ?)
     ON DUPLICATE KEY UPDATE client_id = VALUES(client_id), client_secret = VALUES(client_secret), access_token = NULL, data_atualizacao_token = NULL`,
    [integration, clientId, clientSecret],
  );
  // Licence rows of earlier demo runs point at a sandbox that is gone.
  await db.query('DELETE lp FROM licencas_produtos_iot lp JOIN licencas_iot li ON li.id = lp.id_licenca_iot WHERE li.id_integracao = ?', [integration]);
  await db.query('DELETE FROM licencas_iot WHERE id_integracao = ?', [integration]);
  for (const [sql, params] of DEMO_CLEANUP) await db.query(sql, params);
  await db.query(`UPDATE produtos SET id_integracao_iot = ?, id_produto_iot = id_sva_pacote WHERE id IN (?) AND id_sva_pacote LIKE 'OLLI-%'`, [
    integration,
    SEED_IOT_PRODUCTS,
  ]);
}

async function playStep(db: mysql.Connection, syncSchema: string, step: DemoStep, timeoutMs: number): Promise<void> {
  const [[now]] = (await db.query('SELECT NOW(3) AS now')) as unknown as [[{ now: Date }]];
  for (const [sql, params] of step.sql) await db.query(sql, params);
  await settle(db, syncSchema, step.contracts, now.now, timeoutMs);
}

/** Waits until every contract was reconciled after `since` and has nothing pending. */
async function settle(db: mysql.Connection, syncSchema: string, contracts: number[], since: Date, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // The worker may not have created the sync schema yet.
    const done = await countReconciledSince(queryable(db), syncSchema, contracts, since).catch(() => 0);
    if (done === contracts.length) return;
    if (Date.now() > deadline) throw new Error(`contracts ${contracts.join(', ')} not reconciled within ${timeoutMs / 1000} s: see the status page or \`status --contract <id>\``);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
