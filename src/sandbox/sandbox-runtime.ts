import { randomBytes } from 'node:crypto';
import { DEFAULT_CATALOG, toProduct, type CatalogSeed } from './default-catalog';
import { createConcurrencyGate, type ConcurrencyGate } from './concurrency-gate';
import { contractKeyOfExternalId } from './sandbox-validation';
import { createSandboxFaults, type SandboxFaults } from './sandbox-faults';
import { emptyData, loadData, nowIso, saveData, type SandboxData } from './sandbox-state';

export interface SandboxOptions {
  /** @defaultValue `127.0.0.1` */
  host?: string;
  /** 0 picks a free port. @defaultValue 18080 */
  port?: number;
  /** Accepted OAuth2 client id. Required. */
  clientId: string;
  /** Accepted OAuth2 client secret. Required; never logged. */
  clientSecret: string;
  /** Lifetime of issued tokens. @defaultValue 3600 */
  tokenLifetimeSec?: number;
  /** Token path. @defaultValue `/oauth/token` */
  tokenPath?: string;
  /** Persist state here (loaded at start, written after every change). */
  stateFile?: string;
  /** Seeded product catalogue. @defaultValue DEFAULT_CATALOG */
  catalog?: readonly CatalogSeed[];
  /** API requests handled at once (token included, admin excluded); the rest wait in a queue. 0 = no cap. @defaultValue 0 */
  maxConcurrentRequests?: number;
  /** Bearer token `/__admin` requires; required to bind beyond loopback. Without it, admin is open on loopback only. */
  adminToken?: string;
}

export const DEFAULT_SANDBOX_OPTIONS = {
  host: '127.0.0.1',
  port: 18080,
  tokenLifetimeSec: 3600,
  tokenPath: '/oauth/token',
  maxConcurrentRequests: 0,
} satisfies Partial<SandboxOptions>;

/** Everything the sandbox remembers, plus counters the tests assert on. */
export interface SandboxRuntime {
  options: Required<Omit<SandboxOptions, 'stateFile' | 'catalog'>> & { stateFile: string | undefined; catalog: readonly CatalogSeed[] };
  data: SandboxData;
  tokens: Map<string, number>;
  /** Every token issued since start or reset, expired ones included (for leak checks). */
  issuedTokens: string[];
  tokenLifetimeSec: number;
  faults: SandboxFaults;
  /** The cap on API requests in flight (maxConcurrentRequests), settable through the admin API. */
  gate: ConcurrencyGate;
  requestCounts: Record<string, number>;
  statusCounts: Record<string, number>;
  writeCalls: number;
  tokenCalls: number;
  /** Per contract key `<tenant>:<contract id>`: write requests in flight now. */
  inFlightWrites: Map<string, number>;
  /** Per contract key: how many times a write started while another was in flight. */
  overlaps: Record<string, number>;
  issueToken(): { token: string; expiresIn: number };
  tokenValid(token: string): boolean;
  persist(): void;
  reset(options?: { keepCatalog?: boolean }): void;
  seedCatalog(catalog: readonly CatalogSeed[]): void;
}

export function createSandboxRuntime(input: SandboxOptions): SandboxRuntime {
  if (!input.clientId || !input.clientSecret) throw new Error('Sandbox needs a client id and a client secret');
  const options = {
    ...DEFAULT_SANDBOX_OPTIONS,
    ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
    stateFile: input.stateFile,
    catalog: input.catalog ?? DEFAULT_CATALOG,
  } as SandboxRuntime['options'];

  const runtime: SandboxRuntime = {
    options,
    data: (options.stateFile ? loadData(options.stateFile) : null) ?? emptyData(),
    tokens: new Map(),
    issuedTokens: [],
    tokenLifetimeSec: options.tokenLifetimeSec,
    faults: createSandboxFaults(),
    gate: createConcurrencyGate(options.maxConcurrentRequests),
    requestCounts: {},
    statusCounts: {},
    writeCalls: 0,
    tokenCalls: 0,
    inFlightWrites: new Map(),
    overlaps: {},
    issueToken() {
      const token = `sbx.${randomBytes(24).toString('base64url')}`;
      runtime.tokens.set(token, Date.now() + runtime.tokenLifetimeSec * 1000);
      runtime.issuedTokens.push(token);
      return { token, expiresIn: runtime.tokenLifetimeSec };
    },
    tokenValid(token) {
      const expiresAt = runtime.tokens.get(token);
      if (expiresAt === undefined) return false;
      if (Date.now() >= expiresAt) {
        runtime.tokens.delete(token);
        return false;
      }
      return true;
    },
    persist() {
      if (options.stateFile) saveData(options.stateFile, runtime.data);
    },
    reset(resetOptions = {}) {
      const products = runtime.data.products;
      runtime.data = emptyData();
      if (resetOptions.keepCatalog) runtime.data.products = products;
      else runtime.seedCatalog(options.catalog);
      runtime.tokens.clear();
      runtime.issuedTokens = [];
      runtime.faults.clear();
      runtime.gate.setMax(options.maxConcurrentRequests);
      runtime.gate.resetStats();
      runtime.requestCounts = {};
      runtime.statusCounts = {};
      runtime.writeCalls = 0;
      runtime.tokenCalls = 0;
      runtime.overlaps = {};
      runtime.tokenLifetimeSec = options.tokenLifetimeSec;
      runtime.persist();
    },
    seedCatalog(catalog) {
      const now = nowIso();
      runtime.data.products = {};
      for (const seed of catalog) runtime.data.products[seed.id] = toProduct(seed, now);
      runtime.persist();
    },
  };
  if (Object.keys(runtime.data.products).length === 0) runtime.seedCatalog(options.catalog);
  return runtime;
}

/**
 * The contract a write request concerns, from the external id it sends or the object it targets
 * (`ixc:<t>:contrato:<id>…` → `<t>:<id>`); `null` for customers and unknown objects.
 */
export function contractKeyOf(runtime: SandboxRuntime, template: string, params: Record<string, string>, body: unknown): string | null {
  const fromExternalId = (externalId: unknown): string | null => {
    if (typeof externalId !== 'string') return null;
    return contractKeyOfExternalId(externalId);
  };
  if (template === 'POST /customers/{customerId}/subscriptions') {
    return fromExternalId((body as { external_id?: unknown } | null)?.external_id);
  }
  if (template.includes('/subscriptions/{id}')) {
    const subscription = runtime.data.subscriptions[params.id ?? ''];
    return subscription ? fromExternalId(subscription.external_id) : fromExternalId((body as { external_id?: unknown } | null)?.external_id);
  }
  if (template.includes('/licenses/{id}')) {
    const licence = runtime.data.licences[params.id ?? ''];
    return licence ? fromExternalId(licence.external_id) : null;
  }
  return null;
}
