import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CatalogSeed } from './default-catalog';
import type { SandboxConfig } from '../config/app-config';
import { createSandboxServer, type SandboxServer } from './sandbox-server';

export interface RunSandboxFlags {
  port?: number;
  host?: string;
  stateFile?: string;
  tokenLifetimeSec?: number;
  /** JSON file with an array of CatalogSeed (`{id, name, maxDevices, active, …}`) replacing the default catalogue. */
  catalogFile?: string;
  /** API requests handled at once; the rest queue. 0 = no cap. */
  maxConcurrentRequests?: number;
}

export interface RunningSandbox {
  server: SandboxServer;
  url: string;
  clientId: string;
  /** True when no secret was configured and a random one was generated for this run. */
  generatedSecret: boolean;
}

/**
 * Starts the sandbox from configuration plus command-line overrides. Credentials come from
 * SANDBOX_CLIENT_ID / SANDBOX_CLIENT_SECRET; when unset, random ones are generated so no
 * real-looking secret is ever hard-coded.
 */
export async function runSandbox(config: SandboxConfig, flags: RunSandboxFlags): Promise<RunningSandbox & { clientSecret: string }> {
  const clientId = config.clientId ?? `sandbox.oa2-client.${randomBytes(16).toString('hex')}`;
  const clientSecret = config.clientSecret ?? randomBytes(32).toString('hex');
  const server = createSandboxServer({
    host: flags.host ?? config.host,
    port: flags.port ?? config.port,
    stateFile: flags.stateFile ?? config.stateFile,
    tokenLifetimeSec: flags.tokenLifetimeSec ?? config.tokenLifetimeSec,
    clientId,
    clientSecret,
    catalog: flags.catalogFile ? readCatalogFile(flags.catalogFile) : undefined,
    maxConcurrentRequests: flags.maxConcurrentRequests,
    adminToken: config.adminToken,
  });
  const url = await server.listen();
  return { server, url, clientId, clientSecret, generatedSecret: config.clientSecret === undefined };
}

function readCatalogFile(file: string): CatalogSeed[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'object' && p !== null && typeof (p as CatalogSeed).id === 'string')) {
    throw new Error(`${file} must hold a JSON array of products with string ids`);
  }
  return parsed as CatalogSeed[];
}
