import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import mysql from 'mysql2/promise';
import { type LicencaRow } from '../chaos/chaos-oracle';
import type { AppConfig } from '../src/config/app-config';
import { changeTopic } from '../src/consumers/change-topics';
import { runMigrations } from '../src/migrations/run-migrations';
import type { SandboxAdminState } from '../src/sandbox/sandbox-admin';
import { createIxcWorld } from '../test/helpers/ixc-world';
import { platformLimitsEnv, RESULTS, startBenchWorker, type BenchSandbox } from './bench-processes';
import { percentile } from './stats';
import { verifyWorld, type WorldRows, type WorldVerification } from './verify-world';
import { PLATFORM_PRODUCTS } from './workload';

// The live run owns ids 985000-994999 and integration 85 on the shared captured database.
const BASE = 985_000;
const INTEGRATION = 85;
const POLL_MS = 25;

export interface LiveOptions {
  cli: string;
  config: Readonly<AppConfig>;
  sandbox: BenchSandbox;
  rate: number;
  seconds: number;
  latencyMs: number;
  maxConcurrency: number;
  /** Contracts the changes rotate over. @defaultValue 200 */
  contracts?: number;
  kafka: Kafka;
  /** Row changes committed in bulk first to measure Debezium's capture rate (0 = skip). */
  captureRows: number;
  report(line: string): void;
}

export interface LiveResult {
  changes: number;
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  missed: number;
  peakRssMb: number | null;
  capture: CaptureResult | null;
  /** The live contracts' final state against the platform and licencas_iot, once the changes settled. */
  verification: WorldVerification;
}

export interface CaptureResult {
  rows: number;
  commitSeconds: number;
  /** From the first commit until the connector's records for every row are in Kafka. */
  captureSeconds: number;
  rowsPerSecond: number;
}

interface Change {
  contract: number;
  expected: 'active' | 'suspended';
  committedAt: number;
  latencyMs?: number;
}

/**
 * Live latency through the real chain: contract status changes committed on the stack's MariaDB
 * at a steady rate, captured by the real Debezium connector, consumed by a worker (its own group
 * and sync schema), applied on the sandbox and written back. Latency = from the time the bench's
 * COMMIT returned until the bench sees the new status on the platform (the subscription) and in
 * IXC (every licencas_iot row of the contract): read where the outcome lands, polled every
 * POLL_MS, so an upper bound by up to one poll.
 */
export async function runLive(o: LiveOptions): Promise<LiveResult> {
  const count = o.contracts ?? 200;
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: o.config.stack.dbPort, user: 'root', password: '', database: o.config.db.ixcDatabase, dateStrings: true });
  const world = createIxcWorld(conn, BASE, INTEGRATION);
  const syncSchema = `ixc_sync_bench_live_${randomBytes(3).toString('hex')}`;
  const ids = Array.from({ length: count }, (_, i) => BASE + 100 + i);
  let worker: Awaited<ReturnType<typeof startBenchWorker>> | undefined;
  try {
    o.report(`live: ${count} active contracts in ${o.config.db.ixcDatabase} (ids ${BASE}+, integration ${INTEGRATION}) on MariaDB :${o.config.stack.dbPort}`);
    // A freshly started stack has IXC's tables but not the IoT ones the migrations add when absent.
    await runMigrations({ ...o.config.db, host: '127.0.0.1', port: o.config.stack.dbPort, user: 'root', password: '', syncSchema });
    await world.clean();
    await o.sandbox.admin('POST', '/reset', {});
    await o.sandbox.admin('PUT', '/faults', { endpoint: '*', fault: { latencyMs: o.latencyMs } });
    await world.integration(o.sandbox.clientId, o.sandbox.clientSecret);
    await world.product(BASE + 1, 'Casa Inteligente (bench live)', PLATFORM_PRODUCTS.casa);
    await world.plan(BASE + 1, 'FIBRA + CASA (bench live)');
    await world.line(BASE + 1, { id_vd_contrato: BASE + 1, id_produto: BASE + 1, qtde: 1 });
    for (const id of ids) {
      await world.customer(id);
      await world.contract(id, { id_cliente: id, id_vd_contrato: BASE + 1 });
    }

    const capture = o.captureRows > 0 ? await measureCapture(o, conn, ids) : null;
    if (capture) o.report(`live: Debezium captured ${capture.rows} row changes in ${capture.captureSeconds.toFixed(1)} s (${capture.rowsPerSecond.toFixed(0)} rows/s; commits took ${capture.commitSeconds.toFixed(1)} s)`);

    const env: Record<string, string> = {
      IXC_DB_PORT: String(o.config.stack.dbPort),
      SYNC_DB_SCHEMA: syncSchema,
      KAFKA_GROUP_ID: `bench-live-${syncSchema.slice(-6)}`,
      IOT_BASE_URL: o.sandbox.url,
      IOT_TENANT_ID: `benchlive${syncSchema.slice(-6)}`,
      IOT_INTEGRATION_ID: String(INTEGRATION),
      ...platformLimitsEnv({ ...o, reconcileConcurrency: o.maxConcurrency }),
      LOG_LEVEL: 'info',
    };
    const logFile = path.join(RESULTS, 'worker-live.log');
    worker = await startBenchWorker(o.cli, env, logFile);
    o.report(`live: worker pid ${worker.pid}; waiting until it has caught up with the topics and provisioned the ${count} contracts`);
    const tenant = env.IOT_TENANT_ID!;
    // What the platform and IXC's licencas_iot hold per contract: the live phase reads the
    // outcome where it lands, not the worker's own bookkeeping.
    const outcome = async () => {
      const platform = await o.sandbox.admin<SandboxAdminState>('GET', '/state');
      const [rows] = await conn.query(
        'SELECT id_contrato, id_licenca_integracao, id_assinatura_integracao, status FROM licencas_iot WHERE id_integracao = ? AND id_contrato BETWEEN ? AND ?',
        [INTEGRATION, ids[0], ids[ids.length - 1]],
      );
      const letters = new Map<number, string[]>();
      for (const r of rows as LicencaRow[]) letters.set(Number(r.id_contrato), [...(letters.get(Number(r.id_contrato)) ?? []), r.status]);
      const subscription = new Map(
        platform.subscriptions.filter((x) => x.external_id?.startsWith(`ixc:${tenant}:contrato:`)).map((x) => [Number(x.external_id!.split(':')[3]), x.status]),
      );
      return { platform, licencas: rows as LicencaRow[], reached: (id: number, want: Change['expected']) => {
        const l = letters.get(id) ?? [];
        return subscription.get(id) === want && l.length > 0 && l.every((x) => (want === 'active' ? x === 'P' || x === 'A' : x === 'B'));
      } };
    };
    const warmupStart = Date.now();
    for (;;) {
      const now = await outcome();
      if (ids.every((id) => now.reached(id, 'active'))) break;
      if (Date.now() - warmupStart > 600_000) throw new Error('live: the worker did not provision the contracts within 10 minutes');
      await sleep(250);
    }
    o.report(`live: ready after ${((Date.now() - warmupStart) / 1000).toFixed(1)} s; committing ${o.rate} changes/s for ${o.seconds} s`);

    const changes: Change[] = [];
    const pending = new Map<number, Change>();
    const current = new Map(ids.map((id) => [id, 'active' as Change['expected']]));
    let polling = true;
    let lastCommit = Date.now();
    const poller = (async () => {
      while (polling || pending.size > 0) {
        const now = await outcome();
        const seenAt = Date.now();
        for (const [id, change] of pending) {
          if (now.reached(id, change.expected)) {
            change.latencyMs = seenAt - change.committedAt;
            pending.delete(id);
          }
        }
        if (!polling && Date.now() - lastCommit > 30_000) break;
        await sleep(POLL_MS);
      }
    })();
    const total = Math.round(o.rate * o.seconds);
    const interval = 1000 / o.rate;
    const start = Date.now();
    for (let j = 0; j < total; j += 1) {
      const due = start + j * interval;
      if (due > Date.now()) await sleep(due - Date.now());
      const id = ids[j % ids.length]!;
      const expected = current.get(id) === 'active' ? 'suspended' : 'active';
      current.set(id, expected);
      await conn.query('UPDATE cliente_contrato SET status_internet = ? WHERE id = ?', [expected === 'active' ? 'A' : 'CM', id]);
      lastCommit = Date.now();
      const change: Change = { contract: id, expected, committedAt: lastCommit };
      changes.push(change);
      pending.set(id, change);
    }
    const achievedRate = (changes.length - 1) / ((lastCommit - (changes[0]?.committedAt ?? lastCommit)) / 1000);
    polling = false;
    await poller;
    const latencies = changes.map((c) => c.latencyMs).filter((x): x is number => x !== undefined);
    const verification = await verifyLive(conn, ids, await outcome(), tenant);
    o.report(`live: verification ${verification.ok ? 'platform and licencas_iot match IXC' : `${verification.mismatches.length} mismatches: ${verification.mismatches.slice(0, 5).join('; ')}`}`);
    const peakRssMb = worker.peakRssMb();
    const result: LiveResult = {
      changes: changes.length,
      achievedRate,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
      // Changes overtaken by a newer change on the same contract before they were observed count as missed too.
      missed: changes.length - latencies.length,
      peakRssMb,
      capture,
      verification,
    };
    o.report(`live: ${result.changes} changes at ${achievedRate.toFixed(1)}/s: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, missed ${result.missed}`);
    return result;
  } finally {
    const code = await worker?.stop();
    if (code !== undefined && code !== 0) o.report(`live: worker exited with ${code}`);
    await world.clean().catch(() => undefined);
    await conn.query(`DROP DATABASE IF EXISTS \`${syncSchema}\``).catch(() => undefined);
    await conn.end();
  }
}

/**
 * Debezium's capture rate on this machine: bulk UPDATEs over the live contracts (an even number
 * per contract, so they end active), timed from the first commit until the topic's high watermark
 * has grown by one record per changed row.
 */
async function measureCapture(o: LiveOptions, conn: mysql.Connection, ids: number[]): Promise<CaptureResult> {
  const topic = changeTopic(o.config.kafka.topicPrefix, o.config.db.ixcDatabase, 'cliente_contrato');
  const admin = o.kafka.admin();
  await admin.connect();
  try {
    const high = async () => (await admin.fetchTopicOffsets(topic)).reduce((a, p) => a + Number(p.high), 0);
    const statements = Math.max(2, Math.round(o.captureRows / ids.length / 2) * 2);
    const rows = statements * ids.length;
    const before = await high();
    const start = Date.now();
    for (let i = 0; i < statements; i += 1) {
      await conn.query('UPDATE cliente_contrato SET status_internet = ? WHERE id BETWEEN ? AND ?', [i % 2 === 0 ? 'CM' : 'A', ids[0], ids[ids.length - 1]]);
    }
    const committed = Date.now();
    for (;;) {
      if ((await high()) - before >= rows) break;
      if (Date.now() - start > 600_000) throw new Error('live: Debezium did not capture the bulk changes within 10 minutes');
      await sleep(20);
    }
    const captureSeconds = (Date.now() - start) / 1000;
    return { rows, commitSeconds: (committed - start) / 1000, captureSeconds, rowsPerSecond: rows / captureSeconds };
  } finally {
    await admin.disconnect();
  }
}

/** The live contracts' final IXC rows (one Casa Inteligente from the plan each) against what the platform and licencas_iot hold. */
async function verifyLive(conn: mysql.Connection, ids: number[], now: { platform: SandboxAdminState; licencas: LicencaRow[] }, tenant: string): Promise<WorldVerification> {
  const [contracts] = await conn.query('SELECT id, id_cliente, status, status_internet FROM cliente_contrato WHERE id BETWEEN ? AND ?', [ids[0], ids[ids.length - 1]]);
  const quantities = new Map(ids.map((id) => [id, new Map([[PLATFORM_PRODUCTS.casa, 1]])]));
  return verifyWorld({ contracts: contracts as WorldRows['contracts'], quantities, licencas: now.licencas }, now.platform, tenant);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
