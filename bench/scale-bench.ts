/**
 * `npm run bench -- --scale [N]` and `--scale-series` (issue 18): the largest IXC, through the real
 * connector. Writes bench/results/scale-latest.json; docs/benchmarks.md § Scale explains each figure.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Kafka } from 'kafkajs';
import mysql from 'mysql2/promise';
import { loadConfig } from '../src/config/load-config';
import type { AppConfig } from '../src/config/app-config';
import { changeTopic } from '../src/consumers/change-topics';
import { DEBEZIUM_USER } from '../src/stack/local-stack';
import { benchKafka } from './bench-kafka';
import { buildCli, platformLimitsEnv, readCounter, RESULTS, startBenchSandbox, startBenchWorker, type BenchSandbox, type BenchWorker } from './bench-processes';
import { groupBehind, registerScaleConnector, startLockProbes, topicEnds } from './scale-cdc';
import { createScaleDatabase, type ScaleDatabase } from './scale-database';
import { startLiveLoad } from './scale-live';
import { applyStep, buildScaleWorkload, initialLinks, iotLinesOf, type PlatformModel } from './scale-workload';

const SERIES = [50_000, 100_000, 200_000];
const INTEGRATION_ID = 1;
const report = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (x: number | null | undefined, digits = 2): number | null => {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

interface Settings {
  latencyMs: number;
  maxConcurrency: number;
  reconcileConcurrency: number;
  liveRate: number;
  liveContracts: number;
  liveMinSeconds: number;
  timeoutMs: number;
  workerEnv: Record<string, string>;
  /** `--cpu-prof`: the worker writes a V8 CPU profile to bench/results/profiles/ (NODE_OPTIONS refuses the flag). */
  workerNodeArgs: string[];
  /** Worker processes in one consumer group sharing the work set (the documented scale-out). */
  workers: number;
}

interface Ctx {
  config: Readonly<AppConfig>;
  kafka: Kafka;
  cli: string;
  sandbox: BenchSandbox;
  settings: Settings;
}

/** Parses `--scale [N]`, `--scale-series` and their options; runs; writes the results file. */
export async function runScaleBench(argv: string[]): Promise<void> {
  const scaleAt = argv.indexOf('--scale');
  const nArg = scaleAt >= 0 && /^\d+$/.test(argv[scaleAt + 1] ?? '') ? argv[scaleAt + 1] : undefined;
  const rest = argv.filter((a, i) => !(i === scaleAt || (nArg !== undefined && i === scaleAt + 1)));
  const { values: args } = parseArgs({
    args: rest,
    options: {
      'scale-series': { type: 'boolean', default: false },
      'latency-ms': { type: 'string', default: '25' },
      'max-concurrency': { type: 'string', default: '32' },
      'reconcile-concurrency': { type: 'string' },
      'live-rate': { type: 'string', default: '50' },
      'live-contracts': { type: 'string', default: '1000' },
      'live-seconds': { type: 'string', default: '20' },
      'timeout-minutes': { type: 'string', default: '30' },
      'worker-env': { type: 'string', multiple: true, default: [] },
      'cpu-prof': { type: 'boolean', default: false },
      workers: { type: 'string', default: '1' },
      // A CLI built elsewhere (e.g. from an older commit, for a before/after) instead of src/.
      cli: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const sizes = args['scale-series'] ? SERIES : [Number(nArg ?? 200_000)];
  const maxConcurrency = Number(args['max-concurrency']);
  const settings: Settings = {
    latencyMs: Number(args['latency-ms']),
    maxConcurrency,
    reconcileConcurrency: Number(args['reconcile-concurrency'] ?? maxConcurrency * 2),
    liveRate: Number(args['live-rate']),
    liveContracts: Number(args['live-contracts']),
    liveMinSeconds: Number(args['live-seconds']),
    timeoutMs: Number(args['timeout-minutes']) * 60_000,
    workers: Number(args.workers),
    workerNodeArgs: args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.join(RESULTS, 'profiles')] : [],
    workerEnv: Object.fromEntries(args['worker-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
  };
  const config = loadConfig(process.env);
  const kafka = benchKafka([...config.kafka.brokers]);
  if (args.cli === undefined) report('building the CLI into bench/results/.build');
  const cli = args.cli === undefined ? buildCli() : path.resolve(args.cli);
  const sandbox = await startBenchSandbox(cli, { maxConcurrency: settings.maxConcurrency, latencyMs: settings.latencyMs });
  report(`sandbox ${sandbox.url}: ${settings.latencyMs} ms per call, at most ${settings.maxConcurrency} in flight; stack MariaDB :${config.stack.dbPort}, Connect ${config.connect.url}`);
  const out = args.out ?? path.join(RESULTS, 'scale-latest.json');
  const load = { before: os.loadavg(), after: [] as number[] };
  const points: Array<Awaited<ReturnType<typeof runScalePoint>>> = [];
  try {
    for (const n of sizes) {
      points.push(await runScalePoint({ config, kafka, cli, sandbox, settings }, n));
      load.after = os.loadavg();
      writeFileSync(out, `${JSON.stringify(summarize(points, settings, load), null, 2)}\n`);
      report(`wrote ${path.relative(process.cwd(), out)} (${points.length}/${sizes.length} points)`);
    }
  } finally {
    await sandbox.stop();
  }
  printTable(summarize(points, settings, load));
}

async function runScalePoint(ctx: Ctx, n: number) {
  const { config, sandbox, settings: s } = ctx;
  // An admin client per point: one that saw the previous point's topics deleted fails its metadata refresh.
  const admin = ctx.kafka.admin();
  await admin.connect();
  const w = buildScaleWorkload(n);
  const links = initialLinks(w);
  const iot = iotLinesOf(w, links);
  const iotIds = new Set(iot.keys());
  report(`scale ${n}: ${w.customers.length} customers, ${w.lines.length} own lines, ${iotIds.size} contracts with IoT lines; loading MariaDB :${config.stack.dbPort}`);
  await sandbox.admin('POST', '/reset', {});
  await sandbox.admin('PUT', '/faults', { endpoint: '*', fault: { latencyMs: s.latencyMs } });
  const server = { host: '127.0.0.1', port: config.stack.dbPort, user: 'root', password: '' };
  const sdb: ScaleDatabase = await createScaleDatabase(server, w, { id: INTEGRATION_ID, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret }, DEBEZIUM_USER);
  const snapshotRows = Object.values(sdb.rows).reduce((a, b) => a + b, 0);
  report(`scale ${n}: loaded ${snapshotRows} rows in ${sdb.loadSeconds.toFixed(1)} s (${sdb.db.ixcDatabase})`);
  const suffix = sdb.db.ixcDatabase.slice(-6);
  const prefix = `scale${suffix}`;
  const groupId = `bench-scale-${suffix}`;
  const probes = await startLockProbes({ ...server, database: sdb.db.ixcDatabase }, w.probe);
  const workers: BenchWorker[] = [];
  let connector: Awaited<ReturnType<typeof registerScaleConnector>> | undefined;
  const live = await mysql.createConnection({ ...server, database: sdb.db.ixcDatabase, dateStrings: true });
  const syncTable = `\`${sdb.db.syncSchema}\`.contract_sync`;
  const q = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await sdb.conn.query(sql, params))[0] as T[];
  const apiCalls = async () => Object.values((await sandbox.admin<{ requestCounts: Record<string, number> }>('GET', '/state')).requestCounts).reduce((a, b) => a + b, 0);
  const apiByEndpoint = async () => (await sandbox.admin<{ requestCounts: Record<string, number> }>('GET', '/state')).requestCounts;
  /** API calls the worker made for contracts in `ids` from `since` to `until` (its api_audit rows). */
  const auditedCalls = async (ids: readonly number[], since: number, until: number): Promise<number> => {
    const [row] = await q<{ n: number }>(
      `SELECT COUNT(*) AS n FROM \`${sdb.db.syncSchema}\`.api_audit WHERE at >= FROM_UNIXTIME(?) AND at <= FROM_UNIXTIME(?) AND contract_id IN (?)`,
      [since / 1000, until / 1000, ids.length > 0 ? ids : [-1]],
    );
    return Number(row!.n);
  };
  /** A counter summed over the workers. */
  const counter = async (name: string): Promise<number> => {
    let sum = 0;
    for (const one of workers) sum += Object.values(await readCounter(one.opsUrl, name)).reduce((a, b) => a + b, 0);
    return sum;
  };
  const reconciles = () => counter('ixc_iot_sync_reconciles_total');
  /** Waits until every contract of `ids` was written back at or after `since`; returns the last write-back time. */
  const writtenBack = async (ids: readonly number[], since: number, what: string): Promise<number> => {
    const started = Date.now();
    let lastReport = started;
    for (;;) {
      const [row] = await q<{ done: string; last: string | null }>(
        `SELECT COALESCE(SUM(dirty = 0 AND last_reconciled_at >= FROM_UNIXTIME(?)), 0) AS done, UNIX_TIMESTAMP(MAX(last_reconciled_at)) * 1000 AS last
           FROM ${syncTable} WHERE contract_id IN (?)`,
        [since / 1000, ids.length > 0 ? ids : [-1]],
      );
      if (Number(row!.done) >= ids.length) return Number(row!.last ?? since);
      if (Date.now() - started > s.timeoutMs) throw new Error(`${what}: ${row!.done}/${ids.length} written back after ${s.timeoutMs / 1000} s`);
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        report(`scale ${n}: ${what}: ${row!.done}/${ids.length} written back`);
      }
      await sleep(200);
    }
  };
  try {
    // Phase 1: connector registration → every IoT contract provisioned and written back.
    await sleep(2000);
    const registeredAt = Date.now();
    connector = await registerScaleConnector(config, ctx.kafka, { database: sdb.db.ixcDatabase, prefix, debeziumUser: DEBEZIUM_USER });
    const env: Record<string, string> = {
      IXC_DB_HOST: server.host,
      IXC_DB_PORT: String(server.port),
      IXC_DB_USER: server.user,
      IXC_DB_PASSWORD: server.password,
      IXC_DB_NAME: sdb.db.ixcDatabase,
      SYNC_DB_SCHEMA: sdb.db.syncSchema,
      KAFKA_BROKERS: config.kafka.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: groupId,
      KAFKA_CLIENT_ID: 'ixc-iot-sync-bench-scale',
      CONNECT_URL: config.connect.url,
      CONNECTOR_NAME: connector.name,
      IOT_BASE_URL: sandbox.url,
      IOT_TENANT_ID: `scale${suffix}`,
      IOT_INTEGRATION_ID: String(INTEGRATION_ID),
      ...platformLimitsEnv(s),
      LOG_LEVEL: 'info',
      ...s.workerEnv,
    };
    const logFiles = Array.from({ length: s.workers }, (_, i) => path.join(RESULTS, s.workers === 1 ? `worker-scale-${n}.log` : `worker-scale-${n}-${i + 1}.log`));
    for (const logFile of logFiles) workers.push(await startBenchWorker(ctx.cli, env, logFile, s.workerNodeArgs));
    const workerStartedAt = Date.now();
    report(`scale ${n}: connector ${connector.name} registered (snapshot.locking.mode=${connector.snapshot.lockingMode}); worker pid ${workers.map((x) => x.pid).join(', ')} (log ${logFiles.map((f) => path.relative(process.cwd(), f)).join(', ')})`);
    const reconcilesInLogs = (ids: ReadonlySet<number>, since: number, until?: number) => logFiles.reduce((sum, f) => sum + reconcilesInLog(f, ids, since, until), 0);

    const model: PlatformModel = { customers: new Set(), subscriptions: new Map() };
    const initialCalls = applyStep(model, w.contracts, iot);
    const expectedActive = [...model.subscriptions.values()].filter((x) => x.status === 'active').length;
    let snapshotDoneAt: number | null = null;
    let snapshotEnds = new Map<string, number>();
    let consumedAt: number | null = null;
    let maxBehind = 0;
    let lastReport = Date.now();
    for (;;) {
      const ends = await topicEnds(admin, connector.dataTopics);
      const produced = [...ends.values()].reduce((a, b) => a + b, 0);
      if (snapshotDoneAt === null && produced >= snapshotRows) {
        snapshotDoneAt = Date.now();
        snapshotEnds = ends;
      }
      const behind = await groupBehind(admin, groupId, snapshotDoneAt === null ? ends : snapshotEnds);
      if (snapshotDoneAt === null) maxBehind = Math.max(maxBehind, behind);
      if (snapshotDoneAt !== null && consumedAt === null && behind === 0) consumedAt = Date.now();
      const [row] = await q<{ total: number; pending: string; active: string }>(
        `SELECT COUNT(*) AS total, COALESCE(SUM(dirty = 1 AND parked_reason IS NULL), 0) AS pending, COALESCE(SUM(subscription_status = 'active' AND dirty = 0), 0) AS active FROM ${syncTable}`,
      );
      if (consumedAt !== null && Number(row!.pending) === 0 && Number(row!.active) >= expectedActive) break;
      if (Date.now() - registeredAt > s.timeoutMs) throw new Error(`initial sync did not converge in ${s.timeoutMs / 1000} s (produced ${produced}/${snapshotRows}, behind ${behind}, ${JSON.stringify(row)})`);
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        report(`scale ${n}: ${((Date.now() - registeredAt) / 1000).toFixed(0)} s: snapshot ${produced}/${snapshotRows} in Kafka, worker ${behind} behind; work set ${row!.total} rows, ${row!.pending} pending, ${row!.active}/${expectedActive} active`);
      }
      await sleep(250);
    }
    const [{ last }] = (await q<{ last: string }>(`SELECT UNIX_TIMESTAMP(MAX(last_reconciled_at)) * 1000 AS last FROM ${syncTable}`)) as [{ last: string }];
    const [{ n: syncRows }] = (await q<{ n: number }>(`SELECT COUNT(*) AS n FROM ${syncTable}`)) as [{ n: number }];
    const lockDuring = probes.worst(registeredAt, snapshotDoneAt!);
    const lockBefore = probes.worst(registeredAt - 2000, registeredAt);
    await probes.stop();
    const phase1Reconciles = await reconciles();
    const phase1Calls = await apiCalls();
    const withoutIot = await counter('ixc_iot_sync_contracts_without_iot_total');
    const initialSync = (Number(last) - registeredAt) / 1000;
    const consumeSeconds = (consumedAt! - registeredAt) / 1000;
    const phase1 = {
      contracts_with_iot: iotIds.size,
      snapshot_records: snapshotRows,
      debezium_snapshot_seconds: (snapshotDoneAt! - registeredAt) / 1000,
      consumed_seconds: consumeSeconds,
      records_per_s: snapshotRows / consumeSeconds,
      seconds_from_worker_start_to_consumed: (consumedAt! - workerStartedAt) / 1000,
      worker_max_behind_during_snapshot: maxBehind,
      initial_sync_seconds: initialSync,
      seconds_per_1000_iot_contracts: (initialSync / iotIds.size) * 1000,
      minimum_api_calls: { ...initialCalls, token: 1, total: initialCalls.total + 1 },
      api_limit_seconds: limitSeconds(initialCalls.total + 1, s),
      target_seconds: 1.25 * limitSeconds(initialCalls.total + 1, s) + consumeSeconds,
      api_calls: phase1Calls,
      api_calls_by_endpoint: await apiByEndpoint(),
      reconciles: phase1Reconciles,
      reconciles_per_iot_contract: phase1Reconciles / iotIds.size,
      work_set_rows: Number(syncRows),
      contracts_left_unmarked_without_iot: withoutIot,
      snapshot_locking_mode: connector.snapshot.lockingMode,
      longest_write_during_snapshot_ms: lockDuring.maxMs,
      longest_write_before_snapshot_ms: lockBefore.maxMs,
      lock_probes_during_snapshot: lockDuring.samples,
    };
    report(`scale ${n}: initial sync ${initialSync.toFixed(1)} s (snapshot in Kafka ${phase1.debezium_snapshot_seconds.toFixed(1)} s, consumed ${consumeSeconds.toFixed(1)} s, ${phase1.records_per_s.toFixed(0)} records/s); ${phase1Reconciles} reconciles for ${iotIds.size} IoT contracts; ${phase1Calls} API calls (minimum ${phase1.minimum_api_calls.total}); longest probe write during the snapshot ${lockDuring.maxMs} ms`);

    // Phases 2 and 4: the billing run in one transaction, under a steady live load on other contracts.
    // At most a quarter of the provisioned contracts, so the billing run keeps its share of IoT ones at small N.
    const provisioned = w.contracts.filter((c) => model.subscriptions.get(c.id)?.status === 'active');
    const liveIds = provisioned.slice(0, Math.min(s.liveContracts, Math.floor(provisioned.length / 4))).map((c) => c.id);
    const liveSet = new Set(liveIds);
    const billingSize = Math.min(50_000, Math.floor(n / 4));
    const candidates = w.contracts.filter((c) => c.status === 'A' && c.status_internet === 'A' && !liveSet.has(c.id));
    const stride = candidates.length / billingSize;
    const billing = Array.from({ length: Math.min(billingSize, candidates.length) }, (_, i) => candidates[Math.floor(i * stride)]!);
    const billingIot = billing.filter((c) => iotIds.has(c.id)).map((c) => c.id);
    const reconcilesBefore = await reconciles();
    const contractTopic = changeTopic(prefix, sdb.db.ixcDatabase, 'cliente_contrato');
    const topicBefore = (await topicEnds(admin, [contractTopic])).get(contractTopic)!;
    const load = startLiveLoad(live, sdb.db.syncSchema, liveIds, s.liveRate);
    await sleep(3000);
    const liveBeforeBilling = load.committed();
    report(`scale ${n}: billing run: ${billing.length} contracts (${billingIot.length} with IoT lines) to status_internet CA in one transaction, ${s.liveRate} live changes/s on ${liveIds.length} others`);
    const billingStart = Date.now();
    await sdb.conn.query(`UPDATE \`${sdb.db.ixcDatabase}\`.cliente_contrato SET status_internet = 'CA' WHERE id IN (?)`, [billing.map((c) => c.id)]);
    const billingCommitAt = Date.now();
    let capturedAt: number | null = null;
    const capture = (async () => {
      while (capturedAt === null && Date.now() - billingCommitAt < s.timeoutMs) {
        const end = (await topicEnds(admin, [contractTopic])).get(contractTopic)!;
        if (end - topicBefore >= billing.length + (load.committed() - liveBeforeBilling)) capturedAt = Date.now();
        else await sleep(100);
      }
    })();
    const billingLast = await writtenBack(billingIot, billingCommitAt, 'billing run');
    const billingConvergedAt = Date.now();
    await capture;
    const liveAtConvergence = load.committed();
    const liveUntil = Math.max(billingConvergedAt + 5000, billingStart + s.liveMinSeconds * 1000);
    if (liveUntil > Date.now()) await sleep(liveUntil - Date.now());
    const liveResult = await load.stop({ from: billingCommitAt, to: billingLast, tailFrom: capturedAt });
    for (const c of billing) c.status_internet = 'CA';
    const billingCalls = applyStep(model, billing, iot);
    for (const c of w.contracts) if (liveResult.finalStatus.has(c.id)) c.status_internet = liveResult.finalStatus.get(c.id)!;
    applyStep(model, w.contracts.filter((c) => liveSet.has(c.id)), iot);
    const billingIds = new Set(billing.map((c) => c.id));
    const billingIotSet = new Set(billingIot);
    const billingWithoutIot = new Set(billing.filter((c) => !iotIds.has(c.id)).map((c) => c.id));
    const phase2Reconciles = reconcilesInLogs(billingIds, billingCommitAt, billingConvergedAt);
    const phase2 = {
      contracts: billing.length,
      contracts_with_iot: billingIot.length,
      commit_seconds: (billingCommitAt - billingStart) / 1000,
      debezium_capture_seconds: capturedAt === null ? null : (capturedAt - billingCommitAt) / 1000,
      converged_seconds: (billingLast - billingCommitAt) / 1000,
      minimum_api_calls: billingCalls,
      api_limit_seconds: limitSeconds(billingCalls.total, s),
      api_calls: await auditedCalls([...billingIds], billingCommitAt, billingConvergedAt),
      reconciles: phase2Reconciles,
      reconciles_of_contracts_with_iot: reconcilesInLogs(billingIotSet, billingCommitAt, billingConvergedAt),
      reconciles_of_contracts_without_iot: reconcilesInLogs(billingWithoutIot, billingCommitAt, billingConvergedAt),
      reconciles_per_iot_contract: phase2Reconciles / Math.max(1, billingIot.length),
      worker_reconciles_including_live: (await reconciles()) - reconcilesBefore,
      live_changes_until_converged: liveAtConvergence,
    };
    report(`scale ${n}: billing run converged ${phase2.converged_seconds.toFixed(1)} s after its commit (Debezium captured it in ${phase2.debezium_capture_seconds?.toFixed(1) ?? '?'} s; API limit ${phase2.api_limit_seconds.toFixed(1)} s); ${phase2Reconciles} reconciles (${phase2.reconciles_of_contracts_without_iot} of contracts without IoT); live p50/p99 ${liveResult.p50Ms}/${liveResult.p99Ms} ms`);
    const phase4 = {
      rate_per_s: liveResult.achievedRate,
      changes: liveResult.changes,
      p50_ms: liveResult.p50Ms,
      p99_ms: liveResult.p99Ms,
      max_ms: liveResult.maxMs,
      missed: liveResult.missed,
      during_billing: { changes: liveResult.during.changes, p50_ms: liveResult.during.p50Ms, p99_ms: liveResult.during.p99Ms },
      billing_tail: { changes: liveResult.tail.changes, p50_ms: liveResult.tail.p50Ms, p99_ms: liveResult.tail.p99Ms },
      by_second_after_billing_commit: liveResult.bySecond.map((b) => ({ second: b.second, changes: b.changes, p50_ms: b.p50Ms, max_ms: b.maxMs })),
    };

    // Phase 3: the catalogue links a product used by N / 10 contracts.
    const linked = new Map(links).set(w.catalogueProduct.id, w.catalogueProduct.platformProductId);
    const iotAfter = iotLinesOf(w, linked);
    const affected = new Set(w.lines.filter((l) => l.id_produto === w.catalogueProduct.id).map((l) => l.id_contrato));
    const affectedIds = [...affected];
    await sdb.conn.query(`UPDATE \`${sdb.db.ixcDatabase}\`.produtos SET id_integracao_iot = ?, id_produto_iot = ? WHERE id = ?`, [INTEGRATION_ID, w.catalogueProduct.platformProductId, w.catalogueProduct.id]);
    const linkedAt = Date.now();
    report(`scale ${n}: catalogue: product ${w.catalogueProduct.id} linked to ${w.catalogueProduct.platformProductId}, on ${affected.size} contracts`);
    const linkLast = await writtenBack(affectedIds, linkedAt, 'catalogue link');
    const linkConvergedAt = Date.now();
    await sleep(1000);
    const catalogueCalls = applyStep(model, w.contracts.filter((c) => affected.has(c.id)), iotAfter);
    const phase3Reconciles = reconcilesInLogs(new Set(w.contracts.map((c) => c.id)), linkedAt, linkConvergedAt);
    const phase3 = {
      contracts: affected.size,
      contracts_with_iot_before: affectedIds.filter((id) => iotIds.has(id)).length,
      converged_seconds: (linkLast - linkedAt) / 1000,
      minimum_api_calls: catalogueCalls,
      api_limit_seconds: limitSeconds(catalogueCalls.total, s),
      api_calls: await auditedCalls(affectedIds, linkedAt, linkConvergedAt),
      reconciles: phase3Reconciles,
      reconciles_per_iot_contract: phase3Reconciles / Math.max(1, affected.size),
    };
    report(`scale ${n}: catalogue converged in ${phase3.converged_seconds.toFixed(1)} s (API limit ${phase3.api_limit_seconds.toFixed(1)} s); ${phase3Reconciles} reconciles for ${affected.size} contracts`);

    return {
      n,
      customers: w.customers.length,
      lines: w.lines.length + w.planLines.length,
      load_seconds: sdb.loadSeconds,
      phase1_initial_sync: phase1,
      phase2_billing_run: phase2,
      phase3_catalogue: phase3,
      phase4_live: phase4,
      workers: workers.length,
      /** The largest of the workers' peaks. */
      worker_peak_rss_mb: Math.max(...workers.map((x) => x.peakRssMb() ?? 0)),
      /** Summed over the workers. */
      worker_cpu_seconds: workers.reduce((sum, x) => sum + (x.cpuSeconds() ?? 0), 0),
    };
  } finally {
    await probes.stop();
    for (const one of workers) {
      const code = await one.stop();
      if (code !== undefined && code !== null && code !== 0) report(`scale ${n}: worker ${one.pid} exited with ${code}`);
    }
    await connector?.remove().catch((err: unknown) => report(`scale ${n}: could not remove the connector or its topics: ${String(err)}`));
    await live.end();
    await sdb.drop();
    await admin.disconnect();
  }
}

/**
 * Reconciles the worker logged ("reconcile done", one per reconcile) for contracts in `ids` from
 * `since` to `until`: per contract, so a phase's count is not blurred by the live load beside it.
 */
function reconcilesInLog(logFile: string, ids: ReadonlySet<number>, since: number, until = Infinity): number {
  let count = 0;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"reconcile done"') || !line.endsWith('}')) continue;
    const entry = JSON.parse(line) as { contractId?: number; timestamp?: string };
    const at = Date.parse(entry.timestamp ?? '');
    if (entry.contractId !== undefined && ids.has(entry.contractId) && at >= since && at <= until) count += 1;
  }
  return count;
}

function limitSeconds(calls: number, s: Settings): number {
  return (calls * s.latencyMs) / 1000 / s.maxConcurrency;
}

type Point = Awaited<ReturnType<typeof runScalePoint>>;

function summarize(points: Point[], s: Settings, load: { before: number[]; after: number[] }) {
  const perIot = points.map((p) => p.phase1_initial_sync.seconds_per_1000_iot_contracts);
  const mean = perIot.reduce((a, b) => a + b, 0) / Math.max(1, perIot.length);
  const biggest = points[points.length - 1];
  const targets = points.map((p) => ({
    n: p.n,
    reconciles_within_1_05_per_iot_contract: [p.phase1_initial_sync, p.phase2_billing_run, p.phase3_catalogue].every((x) => x.reconciles_per_iot_contract <= 1.05),
    snapshot_records_per_s_at_least_10000: p.phase1_initial_sync.records_per_s >= 10_000,
    initial_sync_within_target: p.phase1_initial_sync.initial_sync_seconds <= p.phase1_initial_sync.target_seconds,
    billing_within_1_25_api_limit: p.phase2_billing_run.converged_seconds <= 1.25 * p.phase2_billing_run.api_limit_seconds,
    live_p99_under_1s: p.phase4_live.p99_ms < 1000,
    live_p99_under_1s_in_billing_tail: p.phase4_live.billing_tail.p99_ms < 1000,
    peak_rss_under_300mb: (p.worker_peak_rss_mb ?? Infinity) < 300,
  }));
  return {
    generated_at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? null, node: process.version, memory_gb: Math.round(os.totalmem() / 2 ** 30), load_average_before: load.before.map((x) => round(x)), load_average_after: load.after.map((x) => round(x)) },
    settings: { latency_ms: s.latencyMs, max_concurrency: s.maxConcurrency, reconcile_concurrency: s.reconcileConcurrency, workers: s.workers, live_rate: s.liveRate, live_contracts: s.liveContracts, worker_env: s.workerEnv },
    source: 'real Debezium MariaDB connector (initial snapshot, then binlog) on the local stack; bulk-loaded IXC database of its own; sandbox platform with fixed latency and a concurrency cap',
    points: points.map((p) => roundDeep(p)),
    linearity: {
      seconds_per_1000_iot_contracts: perIot.map((x) => round(x)),
      max_deviation_from_mean: points.length > 1 ? round(Math.max(...perIot.map((x) => Math.abs(x / mean - 1))), 3) : null,
      within_20_percent: points.length > 1 ? perIot.every((x) => Math.abs(x / mean - 1) <= 0.2) : null,
    },
    targets,
    peak_rss_mb_at_largest: round(biggest?.worker_peak_rss_mb),
  };
}

function roundDeep<T>(x: T): T {
  if (typeof x === 'number') return (Number.isInteger(x) ? x : round(x, 3)) as T;
  if (Array.isArray(x)) return x.map(roundDeep) as T;
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, roundDeep(v)])) as T;
  return x;
}

function printTable(r: ReturnType<typeof summarize>): void {
  process.stdout.write(`\nixc-iot-sync scale benchmark — ${r.machine.cpus} CPUs, load ${r.machine.load_average_before.join(' ')} → ${r.machine.load_average_after.join(' ')}\n`);
  for (const p of r.points) {
    const [a, b, c, d] = [p.phase1_initial_sync, p.phase2_billing_run, p.phase3_catalogue, p.phase4_live];
    process.stdout.write(
      [
        `  N = ${p.n} (${a.contracts_with_iot} with IoT lines; ${a.snapshot_records} snapshot records)`,
        `    initial sync   ${a.initial_sync_seconds} s (target ≤ ${round(a.target_seconds)}); snapshot in Kafka ${a.debezium_snapshot_seconds} s, consumed ${a.consumed_seconds} s = ${round(a.records_per_s, 0)} records/s; reconciles ${a.reconciles} (${round(a.reconciles_per_iot_contract, 3)}/IoT contract); API ${a.api_calls} (min ${a.minimum_api_calls.total}); longest write during snapshot ${a.longest_write_during_snapshot_ms} ms (locking ${a.snapshot_locking_mode})`,
        `    billing run    ${b.contracts} contracts: converged ${b.converged_seconds} s (API limit ${b.api_limit_seconds} s, Debezium capture ${b.debezium_capture_seconds} s); reconciles ${b.reconciles} for ${b.contracts_with_iot} IoT contracts; API ${b.api_calls} (min ${b.minimum_api_calls.total})`,
        `    catalogue      ${c.contracts} contracts: converged ${c.converged_seconds} s (API limit ${c.api_limit_seconds} s); reconciles ${c.reconciles}; API ${c.api_calls} (min ${c.minimum_api_calls.total})`,
        `    live           ${d.changes} changes at ${d.rate_per_s}/s: p50 ${d.p50_ms} ms, p99 ${d.p99_ms} ms (during the billing run: ${d.during_billing.changes} changes, p99 ${d.during_billing.p99_ms} ms; in its tail, once captured: ${d.billing_tail.changes} changes, p99 ${d.billing_tail.p99_ms} ms), missed ${d.missed}`,
        `    worker         peak RSS ${p.worker_peak_rss_mb} MB, CPU ${p.worker_cpu_seconds} s`,
      ].join('\n') + '\n',
    );
  }
  process.stdout.write(`  linearity: ${JSON.stringify(r.linearity)}\n  targets: ${JSON.stringify(r.targets)}\n\n`);
}

