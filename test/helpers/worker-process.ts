import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './wait-for';

const ROOT = path.resolve(__dirname, '../..');

export interface WorkerProcess {
  pid: number;
  /** The ops URL the worker printed once running. */
  opsUrl: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** SIGTERM and wait for a graceful exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, nothing cleaned up. */
  kill(): Promise<void>;
}

/** Who a test worker is: its platform, tenant, IXC integration, project schema and consumer group. */
export interface TestWorkerIdentity {
  sandbox: { url: string };
  tenant: string;
  integration: number;
  syncSchema: string;
  groupId: string;
}

/** A test worker's environment: its identity, a fast work-set poll, then `extra`. */
export function testWorkerEnv(who: TestWorkerIdentity, extra: Record<string, string> = {}): Record<string, string> {
  return {
    IOT_BASE_URL: who.sandbox.url,
    IOT_TENANT_ID: who.tenant,
    IOT_INTEGRATION_ID: String(who.integration),
    SYNC_DB_SCHEMA: who.syncSchema,
    KAFKA_GROUP_ID: who.groupId,
    RECONCILE_POLL_INTERVAL_MS: '200',
    // A test's fresh project schema: the worker creates it, as `start --migrate` would.
    MIGRATE_ON_START: 'true',
    ...extra,
  };
}

/**
 * Runs `ixc-iot-sync start` as a separate process with the given environment on top of the test
 * process's own, and waits until it reports it is running.
 */
export async function startWorkerProcess(env: Record<string, string>, options: { startTimeoutMs?: number } = {}): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src/cli/main.ts'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, OPS_PORT: '0', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const opsUrl = await waitFor(
    () => {
      if (exitCode !== undefined) throw new Error(`worker exited with ${exitCode}:\n${output.slice(-4000)}`);
      return /ops on (http:\/\/\S+)/.exec(output)?.[1];
    },
    { timeoutMs: options.startTimeoutMs ?? 120_000, intervalMs: 100, what: 'the worker to start' },
  ).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    pid: child.pid ?? -1,
    opsUrl,
    output: () => output,
    async stop() {
      if (exitCode !== undefined) return exitCode;
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (exitCode !== undefined) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
