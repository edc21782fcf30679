import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { callSandboxAdmin } from '../src/sandbox/sandbox-admin-client';

export const ROOT = path.resolve(__dirname, '..');
export const RESULTS = path.join(ROOT, 'bench', 'results');
const BUILD = path.join(RESULTS, '.build');

/**
 * Compiles src/ into bench/results/.build so the worker and the sandbox run as plain JS, as in
 * production (`dist/`), without touching the shared dist/. Returns the CLI entry point.
 */
export function buildCli(): string {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', BUILD], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const main = path.join(BUILD, 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
  if (result.status !== 0) process.stderr.write(`bench: tsc reported errors (output still emitted):\n${result.stdout.slice(0, 2000)}\n`);
  return main;
}

export interface ChildHandle {
  pid: number;
  child: ChildProcess;
  /** VmHWM of the process (peak resident set), in MB; null once it exited. */
  peakRssMb(): number | null;
  /** User + system CPU time the process has used, in seconds; null once it exited. */
  cpuSeconds(): number | null;
  stop(): Promise<number | null>;
}

function handle(child: ChildProcess): ChildHandle {
  let exit: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exit = code))));
  return {
    pid: child.pid ?? -1,
    child,
    peakRssMb() {
      try {
        const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        return kb === undefined ? null : Number(kb) / 1024;
      } catch {
        return null;
      }
    },
    cpuSeconds() {
      try {
        // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name, in clock ticks (100/s on Linux).
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return null;
      }
    },
    async stop() {
      if (exit !== undefined) return exit;
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface BenchSandbox extends ChildHandle {
  url: string;
  clientId: string;
  clientSecret: string;
  admin<T = unknown>(method: string, route: string, body?: unknown): Promise<T>;
}

/** The sandbox in its own process with a concurrency cap and a fixed latency on every API call. */
export async function startBenchSandbox(cli: string, options: { maxConcurrency: number; latencyMs: number }): Promise<BenchSandbox> {
  const clientId = `bench.oa2-client.${randomBytes(8).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('hex');
  const child = spawn(process.execPath, [cli, 'sandbox', '--port', '0', '--host', '127.0.0.1', '--max-concurrency', String(options.maxConcurrency)], {
    cwd: ROOT,
    env: { ...process.env, SANDBOX_CLIENT_ID: clientId, SANDBOX_CLIENT_SECRET: clientSecret, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sandbox did not start')), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /"url":"([^"]+)"/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  const admin = <T>(method: string, route: string, body?: unknown): Promise<T> => callSandboxAdmin<T>(url, method, route, body);
  const sandbox: BenchSandbox = { ...handle(child), url, clientId, clientSecret, admin };
  await sandbox.admin('PUT', '/faults', { endpoint: '*', fault: { latencyMs: options.latencyMs } });
  return sandbox;
}

/**
 * The worker's own caps raised to what the sandbox allows: its concurrency, cap ÷ latency requests
 * per second (doubled, so the client's limiter never binds first), and a pool for every slot.
 */
export function platformLimitsEnv(o: { maxConcurrency: number; latencyMs: number; reconcileConcurrency: number }): Record<string, string> {
  return {
    IOT_MAX_CONCURRENCY: String(o.maxConcurrency),
    IOT_MAX_RPS: String(Math.ceil((o.maxConcurrency * 1000) / Math.max(1, o.latencyMs)) * 2),
    RECONCILE_CONCURRENCY: String(o.reconcileConcurrency),
    IXC_DB_POOL_SIZE: String(o.reconcileConcurrency + 8),
  };
}

export interface BenchWorker extends ChildHandle {
  opsUrl: string;
}

/** `ixc-iot-sync start` as its own process; its log goes to `logFile`. */
/**
 * The worker's V8 heap settings, as docker/compose.yml deploys them. Without a cap V8 lets the old
 * space grow lazily with the allocation rate: RSS climbed ~1 MB/s through a drain to ~300 MB while
 * the live set stays far below (capped at 160 MB, RSS held at 166 MB with the same throughput).
 * A 32 MB young generation (V8's default is 16 MB) halves the scavenges of a drain's short-lived
 * garbage: back to back, worker CPU 18.5 / 17.7 s → 16.7 / 16.5 s, RSS +30 MB.
 */
export const WORKER_HEAP_ARGS = ['--max-old-space-size=256', '--max-semi-space-size=32'];

export async function startBenchWorker(cli: string, env: Record<string, string>, logFile: string, nodeArgs: string[] = []): Promise<BenchWorker> {
  const child = spawn(process.execPath, [...WORKER_HEAP_ARGS, ...nodeArgs, cli, 'start'], {
    cwd: ROOT,
    env: { ...process.env, OPS_PORT: '0', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  child.stderr!.pipe(log);
  const opsUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start; see ${logFile}`)), 90_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.write(`${line}\n`);
      const m = /ops on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}; see ${logFile}`)));
  });
  return { ...handle(child), opsUrl };
}

/** Sum of a counter on the worker's /metrics, by label value of `by` (or `total`). */
export async function readCounter(opsUrl: string, name: string, by?: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^(\S+?)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const label = by ? (new RegExp(`${by}="([^"]*)"`).exec(m[2] ?? '')?.[1] ?? '') : 'total';
    out[label] = (out[label] ?? 0) + Number(m[3]);
  }
  return out;
}
