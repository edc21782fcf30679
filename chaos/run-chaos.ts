/**
 * `npm run chaos [-- --events N --contracts N --outage-seconds N --cases 1,2,...]`: the fault-injection
 * suite of issue 9 on an ISOLATED local CDC stack. Writes chaos/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ChaosEnv } from './chaos-env';
import { createChaosEnv } from './chaos-env';
import { createChaosWorld, type ChaosWorld } from './chaos-world';
import { collectLeakSources } from './leak-sources';
import { readDeadLetters } from './read-dead-letters';
import { poisonCpfs, runPoisonCase, type PoisonOutcome } from './poison-input';
import { scanForSecrets, type SecretHit } from './secret-scan';
import type { WorkerProcess } from '../test/helpers/worker-process';

const BASE = 940_000;
const INTEGRATION = 94;
const POISON_BASE = 950_000;

export interface CaseResult {
  name: string;
  events: number;
  faults_injected: number;
  lost: number;
  duplicates: number;
  converged: boolean;
  seconds: number;
  passed: boolean;
  notes: Record<string, unknown>;
  problems: string[];
}

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    contracts: { type: 'string', default: '200' },
    'outage-seconds': { type: 'string', default: '60' },
    'converge-timeout': { type: 'string', default: '600' },
    'drain-seconds': { type: 'string', default: '240' },
    'big-contracts': { type: 'string', default: '5000' },
    cases: { type: 'string', default: '1,2,3,4,5,6,7' },
    out: { type: 'string', default: path.join(__dirname, 'results', 'latest.json') },
  },
});
const EVENTS = Number(args.events);
const CONTRACTS = Number(args.contracts);
const OUTAGE_S = Number(args['outage-seconds']);
const CONVERGE_S = Number(args['converge-timeout']);
const DRAIN_S = Number(args['drain-seconds']);
const CASES = new Set(args.cases!.split(',').map((c) => c.trim()));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const rand = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

/** Waits until the work set of the world is empty and the oracle finds every contract converged. */
async function converge(env: ChaosEnv, world: ChaosWorld, timeoutS: number): Promise<{ converged: boolean; lost: number; duplicates: number; problems: string[] }> {
  const deadline = Date.now() + timeoutS * 1000;
  let last = { lost: -1, duplicates: -1, problems: [] as string[] };
  while (Date.now() < deadline) {
    const dirty = await world.dirtyCount(env.syncSchema).catch(() => -1);
    if (dirty === 0) {
      const report = await world.check(await env.sandbox.admin.state(), env.tenant);
      last = report;
      if (report.lost === 0 && report.duplicates === 0) return { converged: true, ...report };
    }
    await sleep(2000);
  }
  const report = await world.check(await env.sandbox.admin.state(), env.tenant);
  return { converged: false, lost: report.lost, duplicates: report.duplicates, problems: report.problems.length ? report.problems : last.problems };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sumCounts = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

async function parkedOutsideGuard(env: ChaosEnv): Promise<number> {
  const [rows] = await env.db.query(`SELECT COUNT(*) AS n FROM \`${env.syncSchema}\`.contract_sync WHERE contract_id BETWEEN ? AND ? AND parked_reason IS NOT NULL`, [BASE, BASE + 9999]);
  return Number((rows as Array<{ n: number }>)[0]?.n ?? 0);
}

async function breakerStates(opsUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^ixc_iot_sync_breaker_state\{breaker="([^"]+)"\} (\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

async function main(): Promise<void> {
  const started = Date.now();
  log(`isolated stack up (events ${EVENTS}, contracts ${CONTRACTS})`);
  const env = await createChaosEnv({ integrationId: INTEGRATION, report: (l) => log(`stack: ${l}`) });
  // Interrupted: the isolated stack, the sandbox and the workers are stopped all the same.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the isolated stack, the sandbox and the workers`);
      void env.close().finally(() => process.exit(130));
    });
  }
  const results: CaseResult[] = [];
  let secretHits: SecretHit[] = [];
  let workerSeq = 0;
  const launch = (extra: Record<string, string> = {}) => env.launch(`worker-${++workerSeq}`, { IOT_MAX_RPS: '100', ...extra });
  try {
    const world = createChaosWorld(env.db as never, BASE, INTEGRATION);
    await world.ixc.clean();
    await world.ixc.integration(env.sandbox.clientId, env.sandbox.clientSecret);
    let worker: WorkerProcess = await launch();
    const seedEvents = await world.seed(CONTRACTS);
    log(`seeded ${CONTRACTS} contracts (${seedEvents} row events)`);
    const first = await converge(env, world, CONVERGE_S);
    log(`initial provisioning converged=${first.converged} lost=${first.lost}`);

    const runCase = async (id: string, name: string, body: () => Promise<Omit<CaseResult, 'name' | 'seconds' | 'passed' | 'lost' | 'duplicates' | 'converged' | 'problems'> & { extraFailures?: string[] }>) => {
      if (!CASES.has(id)) return;
      log(`case ${id}: ${name}`);
      const t0 = Date.now();
      let outcome: Awaited<ReturnType<typeof body>>;
      try {
        outcome = await body();
      } catch (err) {
        outcome = { events: 0, faults_injected: 0, notes: {}, extraFailures: [`crashed: ${(err as Error).stack ?? String(err)}`] };
      }
      const c = await converge(env, world, CONVERGE_S);
      const problems = [...(outcome.extraFailures ?? []), ...c.problems];
      const result: CaseResult = {
        name,
        events: outcome.events,
        faults_injected: outcome.faults_injected,
        lost: c.lost,
        duplicates: c.duplicates,
        converged: c.converged,
        seconds: Math.round((Date.now() - t0) / 100) / 10,
        passed: c.converged && c.lost === 0 && c.duplicates === 0 && (outcome.extraFailures ?? []).length === 0,
        notes: outcome.notes,
        problems,
      };
      results.push(result);
      log(`case ${id}: ${JSON.stringify({ ...result, problems: result.problems.slice(0, 5) })}`);
      writeResults(results, secretHits, started, false);
    };

    await runCase('1', `SIGKILL the worker 5 times during a drain of ${EVENTS} events`, async () => {
      let churning = true;
      const drainMs = DRAIN_S * 1000;
      const churn = world.churn(EVENTS, { durationMs: drainMs }).finally(() => (churning = false));
      const kills: Array<{ atS: number; dirty: number; churning: boolean; restartS: number }> = [];
      const t0 = Date.now();
      // Five random moments inside the drain; a restart takes a while (the group rebalances), so a
      // moment already passed is taken right after the restart.
      const moments = Array.from({ length: 5 }, () => rand(5_000, drainMs - 10_000)).sort((a, b) => a - b);
      for (const moment of moments) {
        await sleep(Math.max(0, moment - (Date.now() - t0)));
        kills.push({ atS: Math.round((Date.now() - t0) / 100) / 10, dirty: await world.dirtyCount(env.syncSchema), churning, restartS: 0 });
        await worker.kill();
        const tr = Date.now();
        worker = await launch();
        kills[kills.length - 1]!.restartS = Math.round((Date.now() - tr) / 100) / 10;
      }
      const events = await churn;
      const extraFailures = kills.every((k) => k.churning || k.dirty > 0) ? [] : ['a kill landed after the drain had finished'];
      return { events, faults_injected: kills.length, notes: { kills, drainSeconds: DRAIN_S }, extraFailures };
    });

    await runCase('2', `${OUTAGE_S} s platform outage mid-drain`, async () => {
      const churn = world.churn(Math.round(EVENTS / 4), { durationMs: (OUTAGE_S + 30) * 1000 });
      await sleep(5000);
      const lettersBefore = (await readDeadLetters(env.kafka, env.config.kafka.dlqTopic)).length;
      const before = await env.sandbox.admin.state();
      const parkedBefore = await parkedOutsideGuard(env);
      await env.sandbox.admin.setFault('*', { outage: true });
      const tOut = Date.now();
      // The first seconds see calls already in flight and the retries that open the breakers.
      const openingMs = Math.min(15_000, (OUTAGE_S * 1000) / 4);
      await sleep(openingMs);
      const settled = await env.sandbox.admin.state();
      const breakers = await breakerStates(worker.opsUrl);
      await sleep(Math.max(0, OUTAGE_S * 1000 - (Date.now() - tOut)));
      const during = await env.sandbox.admin.state();
      const breakersLate = await breakerStates(worker.opsUrl);
      const parkedDuring = await parkedOutsideGuard(env);
      await env.sandbox.admin.clearFaults();
      const events = await churn;
      const lettersAfter = (await readDeadLetters(env.kafka, env.config.kafka.dlqTopic)).length;
      const requestsOutage = sumCounts(during.requestCounts) - sumCounts(before.requestCounts);
      const requestsOpen = sumCounts(during.requestCounts) - sumCounts(settled.requestCounts);
      const openSeconds = (OUTAGE_S * 1000 - openingMs) / 1000;
      const extraFailures: string[] = [];
      if (![...Object.values(breakers), ...Object.values(breakersLate)].some((v) => v === 2)) extraFailures.push(`no breaker open during the outage: ${JSON.stringify(breakers)}`);
      if (parkedDuring > parkedBefore) extraFailures.push(`${parkedDuring - parkedBefore} contract(s) parked because of the outage`);
      if (lettersAfter > lettersBefore) extraFailures.push(`${lettersAfter - lettersBefore} dead letter(s) during the outage`);
      // Probes only: one trial call per breaker and reset period (30 s); a handful per endpoint at most.
      if (requestsOpen > 40) extraFailures.push(`${requestsOpen} requests reached the platform while the breakers were open`);
      return {
        events,
        faults_injected: 1,
        notes: { requestsDuringOutage: requestsOutage, requestsWhileOpen: requestsOpen, openWindowSeconds: openSeconds, breakers, breakersLate, parkedDuring: parkedDuring - parkedBefore, deadLettersDuring: lettersAfter - lettersBefore },
        extraFailures,
      };
    });

    await runCase('3', '429 storm with Retry-After; token lifetime of 3 s', async () => {
      await env.sandbox.admin.setTokenLifetime(3);
      // The lifetime applies to tokens issued from now on: the worker's current token is expired too.
      await env.sandbox.admin.expireTokens();
      const tokensBefore = (await env.sandbox.admin.issuedTokens()).length;
      const churn = world.churn(Math.round(EVENTS / 4), { durationMs: 40_000 });
      await sleep(3000);
      await env.sandbox.admin.setFault('*', { rateLimitRetryAfterSeconds: 1, remaining: 300 });
      await sleep(8000);
      // A Retry-After above IOT_MAX_RETRY_AFTER_WAIT_MS (10 s) reschedules instead of sleeping.
      await env.sandbox.admin.setFault('*', { rateLimitRetryAfterSeconds: 15, remaining: 40 });
      await sleep(8000);
      await env.sandbox.admin.setFault('*', { rateLimitRetryAfterSeconds: 2, retryAfterAsDate: true, remaining: 100 });
      const events = await churn;
      const s = await env.sandbox.admin.state();
      const tokensIssued = (await env.sandbox.admin.issuedTokens()).length - tokensBefore;
      const extraFailures = tokensIssued >= 3 ? [] : [`only ${tokensIssued} token(s) issued with a 3 s lifetime`];
      return { events, faults_injected: 440, notes: { status429: s.statusCounts['429'] ?? 0, status401: s.statusCounts['401'] ?? 0, tokensIssued }, extraFailures };
    });
    await env.sandbox.admin.clearFaults();
    await env.sandbox.admin.setTokenLifetime(3600);

    await runCase('4', 'Kafka broker, MariaDB and Kafka Connect restarts, each mid-drain', async () => {
      const restarts: Array<{ service: string; atS: number; downS: number; workerAlive: boolean; dirty: number; churning: boolean }> = [];
      let churning = true;
      const churn = world.churn(Math.round(EVENTS / 3), { durationMs: 120_000, retryMs: 60_000 }).finally(() => (churning = false));
      const t0 = Date.now();
      for (const service of ['kafka', 'mariadb', 'connect'] as const) {
        await sleep(rand(8000, 15000));
        const dirty = await world.dirtyCount(env.syncSchema).catch(() => -1);
        const churningAt = churning;
        const tr = Date.now();
        await env.stack.stop(service);
        await sleep(5000);
        await env.stack.up();
        const workerAlive = alive(worker.pid);
        restarts.push({ service, atS: Math.round((tr - t0) / 100) / 10, downS: Math.round((Date.now() - tr) / 100) / 10, workerAlive, dirty, churning: churningAt });
        if (!workerAlive) worker = await launch();
      }
      const events = await churn;
      const died = restarts.filter((r) => !r.workerAlive).map((r) => r.service);
      const extraFailures = died.length ? [`the worker exited on the ${died.join(', ')} restart`] : [];
      if (restarts.some((r) => !r.churning && r.dirty === 0)) extraFailures.push('a restart landed outside the drain');
      return { events, faults_injected: restarts.length, notes: { restarts }, extraFailures };
    });

    await runCase('5', 'Two workers in one group, one killed mid-drain', async () => {
      const overlapBefore = (await env.sandbox.admin.state()).overlapTotal;
      const second = await launch();
      const churn = world.churn(Math.round(EVENTS / 4), { durationMs: 60_000 });
      await sleep(rand(10_000, 40_000));
      await second.kill();
      const events = await churn;
      await converge(env, world, CONVERGE_S);
      const overlap = (await env.sandbox.admin.state()).overlapTotal - overlapBefore;
      return { events, faults_injected: 1, notes: { overlapTotal: overlap }, extraFailures: overlap === 0 ? [] : [`sandbox overlap detector: ${overlap}`] };
    });

    let poison: PoisonOutcome | undefined;
    await runCase('6', 'Poison and odd input', async () => {
      poison = await runPoisonCase(env.db as never, env.kafka, env.sandbox, {
        base: POISON_BASE,
        integrationId: INTEGRATION,
        tenant: env.tenant,
        syncSchema: env.syncSchema,
        topicPrefix: env.config.kafka.topicPrefix,
        ixcDatabase: env.config.db.ixcDatabase,
        dlqTopic: env.config.kafka.dlqTopic,
        bigContracts: Number(args['big-contracts']),
        timeoutMs: CONVERGE_S * 1000,
      });
      return { events: poison.events, faults_injected: poison.faults_injected, notes: { ...poison }, extraFailures: poisonFailures(poison) };
    });

    if (CASES.has('7')) {
      log('case 7: secrets and personal data');
      const t0 = Date.now();
      const sources = await collectLeakSources({
        workerOutputs: Object.fromEntries([...env.workers].map(([n, w]) => [n, w.output()])),
        db: env.db,
        syncSchema: env.syncSchema,
        kafka: env.kafka,
        dlqTopic: env.config.kafka.dlqTopic,
        opsUrl: worker.opsUrl,
      });
      const tokens = await env.sandbox.admin.issuedTokens();
      const documents = [...world.cpfs, ...poisonCpfs(POISON_BASE)];
      secretHits = scanForSecrets(sources, { clientSecret: env.sandbox.clientSecret, tokens, documents, ...world.personal });
      results.push({
        name: 'Secrets and personal data in logs, audit rows, dead letters and the status page',
        events: 0,
        faults_injected: 0,
        lost: 0,
        duplicates: 0,
        converged: true,
        seconds: Math.round((Date.now() - t0) / 100) / 10,
        passed: secretHits.length === 0,
        notes: { tokensSearched: tokens.length, documentsSearched: documents.length, sources: Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, v.length])) },
        problems: secretHits.map((h) => `${h.kind} …${h.tail} in ${h.source}`),
      });
    }
  } finally {
    writeResults(results, secretHits, started, true);
    await env.close();
  }
  const failed = results.filter((r) => !r.passed);
  log(failed.length === 0 ? 'all cases passed' : `FAILED: ${failed.map((f) => f.name).join('; ')}`);
  process.exitCode = failed.length === 0 ? 0 : 1;
}

function poisonFailures(p: PoisonOutcome): string[] {
  const f: string[] = [];
  const c = p.contracts;
  for (const name of ['zeroDate', 'formattedCpf', 'bareCpf', 'alphanumericCnpj', 'missingEmail'] as const) {
    if (c[name]?.platform !== 'active') f.push(`${name}: expected an active subscription, got ${c[name]?.platform} (${c[name]?.last_error ?? c[name]?.parked_reason ?? ''})`);
  }
  if (!c.invalidCpf?.parked_reason) f.push('invalidCpf: not parked with a reason');
  if (c.emptyEnum?.platform !== 'none') f.push(`emptyEnum: expected nothing on the platform, got ${c.emptyEnum?.platform}`);
  const lettered = [...new Set(p.deadLetters.map((d) => d.originalOffset))].sort();
  if (JSON.stringify(lettered) !== JSON.stringify([...p.undecodableOffsets].sort())) f.push(`dead letters ${lettered.join(',')} != undecodable ${p.undecodableOffsets.join(',')}`);
  if (p.big.marked < p.big.contracts) f.push(`only ${p.big.marked} of ${p.big.contracts} contracts marked by the link`);
  if (p.big.parked === 0) f.push('blast-radius guard parked nothing');
  if (p.big.revoked > 0) f.push(`${p.big.revoked} licences revoked before the held unlink was confirmed`);
  if (p.big.notYetTouched !== 0) f.push(`${p.big.notYetTouched} pre-contracts got a subscription`);
  return f;
}

function writeResults(results: CaseResult[], secretHits: SecretHit[], started: number, final: boolean): void {
  const out = args.out!;
  mkdirSync(path.dirname(out), { recursive: true });
  const doc = {
    generatedAt: new Date().toISOString(),
    complete: final,
    parameters: { events: EVENTS, contracts: CONTRACTS, drainSeconds: DRAIN_S, outageSeconds: OUTAGE_S, bigContracts: Number(args['big-contracts']), cases: [...CASES] },
    totalSeconds: Math.round((Date.now() - started) / 1000),
    cases: results,
    secret_hits: secretHits.length,
    secret_hit_details: secretHits,
  };
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 2;
});
