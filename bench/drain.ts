import path from 'node:path';
import type { Kafka } from 'kafkajs';
import type { LicencaRow } from '../chaos/chaos-oracle';
import { changeTopic } from '../src/consumers/change-topics';
import type { SandboxAdminState } from '../src/sandbox/sandbox-admin';
import { createBenchDatabase, type BenchDatabase } from './bench-database';
import { createBenchTopics, produceEvents, renderRecord, type BenchTopics } from './bench-kafka';
import { platformLimitsEnv, readCounter, RESULTS, startBenchWorker, type BenchSandbox, type BenchWorker } from './bench-processes';
import { effectiveQuantities, minimumApiCalls, type MinimumCalls } from './minimum-calls';
import { percentile } from './stats';
import { verifyWorld, type WorldVerification } from './verify-world';
import type { Workload } from './workload';

export interface DrainOptions {
  cli: string;
  kafka: Kafka;
  brokers: string[];
  dbServer: { host: string; port: number; user: string; password: string };
  sandbox: BenchSandbox;
  workload: Workload;
  latencyMs: number;
  maxConcurrency: number;
  reconcileConcurrency: number;
  tenant: string;
  timeoutMs: number;
  cpuProfile: boolean;
  /** Worker processes in the one consumer group (a scale-out deployment). @defaultValue 1 */
  workers: number;
  /** Extra worker environment (tuning experiments). */
  workerEnv: Record<string, string>;
  report(line: string): void;
}

export interface DrainResult {
  events: number;
  contracts: number;
  produceSeconds: number;
  drainSeconds: number;
  eventsPerSecond: number;
  apiCalls: number;
  apiCallsByEndpoint: Record<string, number>;
  reconciles: number;
  reconcilesByOutcome: Record<string, number>;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** The largest peak RSS of the worker processes. */
  peakRssMb: number | null;
  /** CPU seconds the worker processes used from their start to convergence. */
  workerCpuSeconds: number | null;
  workers: number;
  sandboxPeakInFlight: number;
  parked: number;
  minimum: MinimumCalls;
  verification: WorldVerification;
  /** Everything the drain touched, for the naive run over the same workload. */
  db: BenchDatabase;
  topics: BenchTopics;
}

/**
 * The drain: the worker runs (isolated: its own IXC database, topic prefix, group and sync
 * schema), every event is produced into its topics at once, and the clock runs from the first
 * produce until the last contract's write-back, once every record is consumed and nothing is dirty.
 */
export async function runDrain(o: DrainOptions): Promise<DrainResult> {
  const { workload } = o;
  const integrationId = 1;
  o.report(`drain: loading ${workload.contracts.length} contracts (${workload.customers.length} customers, ${workload.lines.length} own lines) into MariaDB ${o.dbServer.host}:${o.dbServer.port}`);
  const db = await createBenchDatabase(o.dbServer, workload, { id: integrationId, clientId: o.sandbox.clientId, clientSecret: o.sandbox.clientSecret });
  const prefix = `bench${db.db.ixcDatabase.slice(-6)}`;
  const topics = await createBenchTopics(o.kafka, prefix, db.db.ixcDatabase, '__debezium-heartbeat');
  const groupId = `bench-worker-${prefix}`;
  await o.sandbox.admin('POST', '/reset', {});
  await o.sandbox.admin('PUT', '/faults', { endpoint: '*', fault: { latencyMs: o.latencyMs } });

  const env: Record<string, string> = {
    IXC_DB_HOST: o.dbServer.host,
    IXC_DB_PORT: String(o.dbServer.port),
    IXC_DB_USER: o.dbServer.user,
    IXC_DB_PASSWORD: o.dbServer.password,
    IXC_DB_NAME: db.db.ixcDatabase,
    SYNC_DB_SCHEMA: db.db.syncSchema,
    KAFKA_BROKERS: o.brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: groupId,
    KAFKA_CLIENT_ID: 'ixc-iot-sync-bench',
    IOT_BASE_URL: o.sandbox.url,
    IOT_TENANT_ID: o.tenant,
    IOT_INTEGRATION_ID: String(integrationId),
    ...platformLimitsEnv(o),
    LOG_LEVEL: 'info',
    ...o.workerEnv,
  };
  const nodeArgs = o.cpuProfile ? ['--cpu-prof', '--cpu-prof-dir', path.join(RESULTS, 'profiles')] : [];
  const logFile = (i: number) => path.join(RESULTS, o.workers === 1 ? 'worker-drain.log' : `worker-drain-${i + 1}.log`);
  // The backlog is in Kafka before the worker starts, as after a billing run or for a replay, and
  // as the naive baseline meets it: the bench's own producer is not on the cores being measured.
  o.report(`drain: producing ${workload.events.length} events to ${prefix}.*`);
  const workers: BenchWorker[] = [];
  try {
    const topicOf = (e: { table: string }) => changeTopic(prefix, db.db.ixcDatabase, e.table);
    const baseTs = Date.now();
    const produced = await produceEvents(
      o.kafka,
      workload.events,
      (event, i) =>
        renderRecord(event, {
          prefix,
          database: db.db.ixcDatabase,
          stored: event.table === 'cliente_contrato' ? db.contractRows.get(event.rowId) : db.lineRows.get(event.rowId),
          tsMs: baseTs + Math.floor(i / 100),
          pos: 1000 + i,
        }),
      topicOf,
    );
    const workerStartedAt = Date.now();
    workers.push(...(await Promise.all(Array.from({ length: o.workers }, (_, i) => startBenchWorker(o.cli, env, logFile(i), nodeArgs)))));
    o.report(
      `drain: produced in ${((produced.endedAt - produced.startedAt) / 1000).toFixed(1)} s; worker pid ${workers.map((w) => w.pid).join(', ')} started (log ${path.relative(process.cwd(), logFile(0))}); waiting for convergence`,
    );

    await waitConverged(o, db, groupId, [topicOf({ table: 'cliente_contrato' }), topicOf({ table: 'vd_contratos_produtos' })], workerStartedAt);

    const [times] = await db.conn.query(
      `SELECT contract_id AS id, UNIX_TIMESTAMP(last_reconciled_at) * 1000 AS t FROM \`${db.db.syncSchema}\`.contract_sync`,
    );
    const doneAt = new Map((times as Array<{ id: number; t: string | null }>).map((r) => [Number(r.id), r.t === null ? NaN : Number(r.t)]));
    const lastWriteBack = Math.max(...[...doneAt.values()].filter((t) => Number.isFinite(t)));
    const latencies = workload.events.map((e, i) => (doneAt.get(e.contractId) ?? NaN) - produced.ackedAt[i]!).filter((x) => Number.isFinite(x));
    const [parkedRows] = await db.conn.query(`SELECT COUNT(*) AS n FROM \`${db.db.syncSchema}\`.contract_sync WHERE parked_reason IS NOT NULL`);
    const cpu = workers.map((w) => w.cpuSeconds());
    const workerCpuSeconds = cpu.every((c): c is number => c !== null) ? cpu.reduce((a, b) => a + b, 0) : null;
    const peaks = workers.map((w) => w.peakRssMb()).filter((mb): mb is number => mb !== null);
    const peakRssMb = peaks.length > 0 ? Math.max(...peaks) : null;
    const reconcilesByOutcome: Record<string, number> = {};
    for (const w of workers) {
      for (const [outcome, n] of Object.entries(await readCounter(w.opsUrl, 'ixc_iot_sync_reconciles_total', 'outcome'))) reconcilesByOutcome[outcome] = (reconcilesByOutcome[outcome] ?? 0) + n;
    }
    const state = await o.sandbox.admin<SandboxAdminState>('GET', '/state');
    const apiCalls = Object.values(state.requestCounts).reduce((a, b) => a + b, 0);
    const drainSeconds = (lastWriteBack - workerStartedAt) / 1000;
    return {
      events: workload.events.length,
      contracts: workload.contracts.length,
      produceSeconds: (produced.endedAt - produced.startedAt) / 1000,
      drainSeconds,
      eventsPerSecond: workload.events.length / drainSeconds,
      apiCalls,
      apiCallsByEndpoint: state.requestCounts,
      reconciles: Object.values(reconcilesByOutcome).reduce((a, b) => a + b, 0),
      reconcilesByOutcome,
      latencyP50Ms: percentile(latencies, 50),
      latencyP99Ms: percentile(latencies, 99),
      peakRssMb,
      workerCpuSeconds,
      workers: o.workers,
      sandboxPeakInFlight: state.concurrency.peakInFlight,
      parked: Number((parkedRows as Array<{ n: number }>)[0]?.n ?? 0),
      minimum: minimumApiCalls(workload),
      verification: await verify(workload, state, db, integrationId, o.tenant),
      db,
      topics,
    };
  } catch (err) {
    await Promise.all(workers.map((w) => w.stop()));
    await topics.delete().catch(() => undefined);
    await db.drop().catch(() => undefined);
    throw err;
  } finally {
    const codes = await Promise.all(workers.map((w) => w.stop()));
    codes.forEach((code, i) => {
      if (code !== undefined && code !== 0) o.report(`drain: worker ${i + 1} exited with ${code} (see ${logFile(i)})`);
    });
  }
}

async function waitConverged(o: DrainOptions, db: BenchDatabase, groupId: string, topics: string[], startedAt: number): Promise<void> {
  const admin = o.kafka.admin();
  await admin.connect();
  try {
    let lastReport = Date.now();
    for (;;) {
      const lagging = await consumerLag(admin, groupId, topics);
      const [rows] = await db.conn.query(
        `SELECT COUNT(*) AS total, COALESCE(SUM(dirty = 1 AND parked_reason IS NULL), 0) AS pending FROM \`${db.db.syncSchema}\`.contract_sync`,
      );
      const { total, pending } = (rows as Array<{ total: number; pending: string }>)[0]!;
      // Every record consumed (marks are written before offsets commit) and nothing left to do. Only
      // contracts with an IoT product get a work-set row (issue 18), so the row count is not the
      // workload's contract count; verify-world checks every contract afterwards.
      if (lagging === 0 && Number(total) > 0 && Number(pending) === 0) return;
      if (Date.now() - startedAt > o.timeoutMs) throw new Error(`drain did not converge in ${o.timeoutMs / 1000} s (lag ${lagging}, rows ${total}, pending ${pending})`);
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        o.report(`drain: ${((Date.now() - startedAt) / 1000).toFixed(0)} s: consumer lag ${lagging}, work-set rows ${total}, pending ${pending}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Records not yet committed by the group across the topics. */
export async function consumerLag(admin: ReturnType<Kafka['admin']>, groupId: string, topics: string[]): Promise<number> {
  let lag = 0;
  const committed = await admin.fetchOffsets({ groupId, topics });
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const end of ends) {
      const c = committed.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === end.partition);
      const at = c && Number(c.offset) >= 0 ? Number(c.offset) : 0;
      lag += Math.max(0, Number(end.high) - at);
    }
  }
  return lag;
}

/** Every contract of the run against the platform and the run's licencas_iot rows (bench/verify-world.ts). */
async function verify(workload: Workload, state: SandboxAdminState, db: BenchDatabase, integrationId: number, tenant: string): Promise<WorldVerification> {
  const [licencas] = await db.conn.query(
    `SELECT id_contrato, id_licenca_integracao, id_assinatura_integracao, status FROM \`${db.db.ixcDatabase}\`.licencas_iot WHERE id_integracao = ?`,
    [integrationId],
  );
  return verifyWorld({ contracts: workload.contracts, quantities: effectiveQuantities(workload), licencas: licencas as LicencaRow[] }, state, tenant);
}
