import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ReconcileWorld } from './reconcile-harness';
import { TENANT } from './reconcile-harness';
import type { SandboxProcess } from './sandbox-process';
import { testDatabaseEnv } from './test-database';

const ROOT = path.resolve(__dirname, '../..');

/** The environment a CLI child needs to reach the test database and the sandbox. */
export function cliEnv(w: ReconcileWorld, sandbox: SandboxProcess, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return testDatabaseEnv(w.t.db, {
    IOT_BASE_URL: sandbox.url,
    IOT_TENANT_ID: TENANT,
    IOT_INTEGRATION_ID: '1',
    IOT_CLIENT_ID: sandbox.clientId,
    IOT_CLIENT_SECRET: sandbox.clientSecret,
    RECONCILE_POLL_INTERVAL_MS: '50',
    LOG_LEVEL: 'warn',
    ...extra,
  });
}

export interface CliChild {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts `ixc-iot-sync <args>` as a separate process (ts-node, as `npm run cli`). */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): CliChild {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv) {
  return spawnCli(args, env).done;
}
