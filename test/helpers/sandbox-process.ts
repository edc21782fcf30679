import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { CatalogSeed } from '../../src/sandbox/default-catalog';
import type { EndpointFault } from '../../src/sandbox/sandbox-faults';
import type { SandboxAdminState } from '../../src/sandbox/sandbox-admin';
import { callSandboxAdmin } from '../../src/sandbox/sandbox-admin-client';

const ROOT = path.resolve(__dirname, '../..');

export interface SandboxProcessOptions {
  /** Token lifetime in seconds. @defaultValue 3600 */
  tokenLifetimeSec?: number;
  stateFile?: string;
  /** JSON file with the catalogue to seed instead of the default one. */
  catalogFile?: string;
  /** @defaultValue 30000 */
  startTimeoutMs?: number;
}

/** Admin helpers over the sandbox's `/__admin` API. */
export interface SandboxAdmin {
  state(): Promise<SandboxAdminState>;
  reset(options?: { keepCatalog?: boolean }): Promise<void>;
  /** Endpoint template, e.g. `POST /customers`, `GET /subscriptions/{id}/licenses`, `POST /oauth/token`, or `*`. */
  setFault(endpoint: string, fault: EndpointFault): Promise<void>;
  clearFaults(endpoint?: string): Promise<void>;
  setTokenLifetime(seconds: number): Promise<void>;
  expireTokens(): Promise<void>;
  /** Every access token the sandbox issued since start or reset, expired ones included. */
  issuedTokens(): Promise<string[]>;
  setCatalog(products: CatalogSeed[]): Promise<void>;
  revokeLicence(id: string): Promise<void>;
  /** A device activates a pending licence (iot-platform-api.md §2.8). */
  activateLicence(id: string, device?: string): Promise<void>;
  setSubscriptionStatus(id: string, status: string, reason?: string): Promise<void>;
}

export interface SandboxProcess {
  url: string;
  clientId: string;
  clientSecret: string;
  pid: number;
  admin: SandboxAdmin;
  /** Everything the process wrote to stdout/stderr (for secret-leak checks). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the sandbox as a separate process (`ixc-iot-sync sandbox` through ts-node) on a free
 * port with random credentials, and waits until it listens.
 */
export async function startSandboxProcess(options: SandboxProcessOptions = {}): Promise<SandboxProcess> {
  const clientId = `test.oa2-client.${randomBytes(16).toString('hex')}`;
  const clientSecret = randomBytes(32).toString('hex');
  const args = ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src/cli/main.ts'), 'sandbox', '--port', '0', '--host', '127.0.0.1'];
  if (options.stateFile) args.push('--state-file', options.stateFile);
  if (options.catalogFile) args.push('--catalog-file', options.catalogFile);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      SANDBOX_CLIENT_ID: clientId,
      SANDBOX_CLIENT_SECRET: clientSecret,
      SANDBOX_TOKEN_LIFETIME_S: String(options.tokenLifetimeSec ?? 3600),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sandbox did not start in time; output: ${output}`));
    }, options.startTimeoutMs ?? 120_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      output += `${line}\n`;
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === 'listening' && event.url) {
          clearTimeout(timer);
          resolve(event.url);
        }
      } catch {
        // not the JSON line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited with ${code}; output: ${output}`));
    });
  });

  const admin: SandboxAdmin = {
    state: async () => (await callSandboxAdmin(url, 'GET', '/state')) as SandboxAdminState,
    reset: async (resetOptions = {}) => void (await callSandboxAdmin(url, 'POST', '/reset', resetOptions)),
    setFault: async (endpoint, fault) => void (await callSandboxAdmin(url, 'PUT', '/faults', { endpoint, fault })),
    clearFaults: async (endpoint) =>
      void (await callSandboxAdmin(url, 'DELETE', `/faults${endpoint ? `?endpoint=${encodeURIComponent(endpoint)}` : ''}`)),
    setTokenLifetime: async (seconds) => void (await callSandboxAdmin(url, 'PUT', '/token-lifetime', { seconds })),
    expireTokens: async () => void (await callSandboxAdmin(url, 'POST', '/tokens/expire')),
    issuedTokens: async () => ((await callSandboxAdmin(url, 'GET', '/tokens')) as { issued: string[] }).issued,
    setCatalog: async (products) => void (await callSandboxAdmin(url, 'PUT', '/catalog', { products })),
    revokeLicence: async (id) => void (await callSandboxAdmin(url, 'POST', `/licenses/${encodeURIComponent(id)}/revoke`)),
    activateLicence: async (id, device) => void (await callSandboxAdmin(url, 'POST', `/licenses/${encodeURIComponent(id)}/activate`, { device })),
    setSubscriptionStatus: async (id, status, reason) =>
      void (await callSandboxAdmin(url, 'POST', `/subscriptions/${encodeURIComponent(id)}/status`, { status, reason })),
  };

  return {
    url,
    clientId,
    clientSecret,
    pid: child.pid ?? -1,
    admin,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
