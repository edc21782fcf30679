import type { ServerResponse } from 'node:http';
import { activateLicenceInState, revokeLicenceInState } from './sandbox-api';
import type { ConcurrencyGateStats } from './concurrency-gate';
import type { CatalogSeed } from './default-catalog';
import type { EndpointFault } from './sandbox-faults';
import { sendJson, SandboxProblem } from './problem';
import type { SandboxRuntime } from './sandbox-runtime';
import type { SandboxCustomer, SandboxLicence, SandboxProduct, SandboxSubscription } from './sandbox-state';

export const ADMIN_PREFIX = '/__admin';

/** The admin state document tests assert on. */
export interface SandboxAdminState {
  customers: SandboxCustomer[];
  subscriptions: SandboxSubscription[];
  licences: SandboxLicence[];
  products: SandboxProduct[];
  requestCounts: Record<string, number>;
  statusCounts: Record<string, number>;
  writeCalls: number;
  tokenCalls: number;
  /** Per contract `<tenant>:<contract id>`: writes that started while another write on it was in flight. */
  overlaps: Record<string, number>;
  overlapTotal: number;
  faults: Record<string, EndpointFault>;
  tokenLifetimeSec: number;
  idempotencyKeys: number;
  /** The cap on API requests in flight and how full it got. */
  concurrency: ConcurrencyGateStats;
}

function stateOf(runtime: SandboxRuntime): SandboxAdminState {
  return {
    customers: Object.values(runtime.data.customers),
    subscriptions: Object.values(runtime.data.subscriptions),
    licences: Object.values(runtime.data.licences),
    products: Object.values(runtime.data.products),
    requestCounts: runtime.requestCounts,
    statusCounts: runtime.statusCounts,
    writeCalls: runtime.writeCalls,
    tokenCalls: runtime.tokenCalls,
    overlaps: runtime.overlaps,
    overlapTotal: Object.values(runtime.overlaps).reduce((a, b) => a + b, 0),
    faults: runtime.faults.all(),
    tokenLifetimeSec: runtime.tokenLifetimeSec,
    idempotencyKeys: Object.keys(runtime.data.idempotency).length,
    concurrency: runtime.gate.stats(),
  };
}

function objectBody(body: unknown): Record<string, unknown> {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/**
 * Admin API (no auth: the sandbox binds to loopback):
 * - `GET  /__admin/state`                      full state and counters
 * - `POST /__admin/reset`                      `{keepCatalog?}` empties everything
 * - `PUT  /__admin/faults`                     `{endpoint, fault}` (endpoint `*` = all); `DELETE /__admin/faults[?endpoint=]`
 * - `PUT  /__admin/token-lifetime`             `{seconds}`;  `POST /__admin/tokens/expire` invalidates issued tokens
 * - `GET  /__admin/tokens`                     `{issued: [...]}` every token issued since start or reset (leak checks)
 * - `PUT  /__admin/concurrency`              `{max}` caps API requests in flight (0 = no cap; excess waits in a queue)
 * - `PUT  /__admin/catalog`                    `{products:[CatalogSeed]}` replaces the catalogue
 * - `POST /__admin/licenses/{id}/revoke`       revokes behind the worker's back
 * - `POST /__admin/licenses/{id}/activate`     `{device?}` a device activates a pending licence (pending → active)
 * - `POST /__admin/subscriptions/{id}/status`  `{status, reason}` changes a subscription behind the worker's back
 */
export async function handleAdmin(runtime: SandboxRuntime, method: string, url: URL, body: unknown, res: ServerResponse): Promise<void> {
  const path = url.pathname.slice(ADMIN_PREFIX.length);
  const obj = objectBody(body);
  if (method === 'GET' && path === '/state') return sendJson(res, 200, stateOf(runtime));
  if (method === 'POST' && path === '/reset') {
    runtime.reset({ keepCatalog: obj.keepCatalog === true });
    return sendJson(res, 200, { ok: true });
  }
  if (method === 'PUT' && path === '/faults') {
    if (typeof obj.endpoint !== 'string' || typeof obj.fault !== 'object' || obj.fault === null) {
      throw new SandboxProblem(400, 'MALFORMED_REQUEST', 'Expected {endpoint, fault}');
    }
    runtime.faults.set(obj.endpoint, obj.fault as EndpointFault);
    return sendJson(res, 200, runtime.faults.all());
  }
  if (method === 'DELETE' && path === '/faults') {
    runtime.faults.clear(url.searchParams.get('endpoint') ?? undefined);
    return sendJson(res, 200, runtime.faults.all());
  }
  if (method === 'PUT' && path === '/token-lifetime') {
    const seconds = Number(obj.seconds);
    if (!Number.isFinite(seconds) || seconds < 0) throw new SandboxProblem(400, 'MALFORMED_REQUEST', 'seconds must be >= 0');
    runtime.tokenLifetimeSec = seconds;
    return sendJson(res, 200, { tokenLifetimeSec: seconds });
  }
  if (method === 'GET' && path === '/tokens') return sendJson(res, 200, { issued: runtime.issuedTokens });
  if (method === 'PUT' && path === '/concurrency') {
    const max = Number(obj.max);
    if (!Number.isInteger(max) || max < 0) throw new SandboxProblem(400, 'MALFORMED_REQUEST', 'max must be a whole number >= 0');
    runtime.gate.setMax(max);
    runtime.gate.resetStats();
    return sendJson(res, 200, runtime.gate.stats());
  }
  if (method === 'POST' && path === '/tokens/expire') {
    const count = runtime.tokens.size;
    runtime.tokens.clear();
    return sendJson(res, 200, { expired: count });
  }
  if (method === 'PUT' && path === '/catalog') {
    if (!Array.isArray(obj.products)) throw new SandboxProblem(400, 'MALFORMED_REQUEST', 'Expected {products: [...]}');
    runtime.seedCatalog(obj.products as CatalogSeed[]);
    return sendJson(res, 200, Object.values(runtime.data.products));
  }
  const revoke = /^\/licenses\/([^/]+)\/revoke$/.exec(path);
  if (method === 'POST' && revoke) {
    const licence = runtime.data.licences[decodeURIComponent(revoke[1] ?? '')];
    if (!licence) throw new SandboxProblem(404, 'LICENSE_NOT_FOUND', 'No licence with this id');
    revokeLicenceInState(licence);
    runtime.persist();
    return sendJson(res, 200, licence);
  }
  const activate = /^\/licenses\/([^/]+)\/activate$/.exec(path);
  if (method === 'POST' && activate) {
    const licence = runtime.data.licences[decodeURIComponent(activate[1] ?? '')];
    if (!licence) throw new SandboxProblem(404, 'LICENSE_NOT_FOUND', 'No licence with this id');
    activateLicenceInState(licence, typeof obj.device === 'string' ? obj.device : null);
    runtime.persist();
    return sendJson(res, 200, licence);
  }
  const subStatus = /^\/subscriptions\/([^/]+)\/status$/.exec(path);
  if (method === 'POST' && subStatus) {
    const subscription = runtime.data.subscriptions[decodeURIComponent(subStatus[1] ?? '')];
    if (!subscription) throw new SandboxProblem(404, 'SUBSCRIPTION_NOT_FOUND', 'No subscription with this id');
    if (typeof obj.status === 'string') subscription.status = obj.status as typeof subscription.status;
    subscription.status_reason = typeof obj.reason === 'string' ? obj.reason : subscription.status_reason;
    subscription.updated_at = new Date().toISOString();
    runtime.persist();
    return sendJson(res, 200, subscription);
  }
  throw new SandboxProblem(404, 'NOT_FOUND', `No admin route for ${method} ${path}`);
}
