import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost } from '../lib/loopback';
import { handleAdmin, ADMIN_PREFIX } from './sandbox-admin';
import { API_ROUTES, type ApiResult } from './sandbox-api';
import { faultDecision, faultLatencyMs } from './sandbox-faults';
import { newRequestId, sendJson, sendProblem, SandboxProblem } from './problem';
import { contractKeyOf, createSandboxRuntime, type SandboxOptions, type SandboxRuntime } from './sandbox-runtime';

export interface SandboxServer {
  runtime: SandboxRuntime;
  /** Starts listening; resolves with the base URL (`http://host:port`). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1_000_000;

/** The sandbox was asked to bind beyond loopback without an admin token. */
export class SandboxBindError extends Error {
  constructor(host: string) {
    super(
      `the sandbox would listen on ${host}, beyond loopback, with its /__admin API open: set SANDBOX_ADMIN_TOKEN ` +
        '(admin calls then need it as a bearer token), or bind to 127.0.0.1',
    );
    this.name = 'SandboxBindError';
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new SandboxProblem(413 as number, 'PAYLOAD_TOO_LARGE', 'Body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SandboxProblem(400, 'MALFORMED_REQUEST', 'The body is not valid JSON');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** OAuth2 client_credentials (RFC 6749 §4.4): JSON body, or form body with HTTP Basic or body credentials. */
function handleToken(runtime: SandboxRuntime, req: IncomingMessage, text: string, res: ServerResponse): void {
  runtime.tokenCalls += 1;
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  let fields: Record<string, unknown>;
  if (contentType.includes('application/x-www-form-urlencoded')) {
    fields = Object.fromEntries(new URLSearchParams(text));
  } else {
    try {
      const parsed = JSON.parse(text || '{}') as unknown;
      fields = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      sendJson(res, 400, { error: 'invalid_request', error_description: 'Body is not JSON or form data' });
      return;
    }
  }
  let clientId = typeof fields.client_id === 'string' ? fields.client_id : undefined;
  let clientSecret = typeof fields.client_secret === 'string' ? fields.client_secret : undefined;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      clientId = decodeURIComponent(decoded.slice(0, colon));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1));
    }
  }
  if (fields.grant_type !== 'client_credentials') {
    sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'Only client_credentials is supported' });
    return;
  }
  if (!clientId || !clientSecret || !safeEqual(clientId, runtime.options.clientId) || !safeEqual(clientSecret, runtime.options.clientSecret)) {
    sendJson(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' }, { 'www-authenticate': 'Basic realm="sandbox"' });
    return;
  }
  const { token, expiresIn } = runtime.issueToken();
  sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: 'provisioning' }, { 'cache-control': 'no-store' });
}

function bodyHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function handle(runtime: SandboxRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = newRequestId();
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const text = await readBody(req);

  if (url.pathname.startsWith(ADMIN_PREFIX)) {
    const adminToken = runtime.options.adminToken;
    const presented = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (adminToken !== undefined && !safeEqual(presented, adminToken)) {
      sendProblem(res, new SandboxProblem(401, 'UNAUTHORIZED', 'The admin API needs the sandbox admin token'), requestId);
      return;
    }
    await handleAdmin(runtime, method, url, parseJson(text), res);
    return;
  }

  const release = await runtime.gate.acquire();
  try {
    await handleApi(runtime, req, res, { requestId, url, method, text });
  } finally {
    release();
  }
}

/** One API request (token or resource), inside the concurrency cap. */
async function handleApi(
  runtime: SandboxRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  { requestId, url, method, text }: { requestId: string; url: URL; method: string; text: string },
): Promise<void> {
  const isToken = method === 'POST' && url.pathname === runtime.options.tokenPath;
  const route = isToken ? undefined : API_ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
  const template = isToken ? `POST ${runtime.options.tokenPath}` : route?.template;
  if (template === undefined || (!isToken && route === undefined)) {
    throw new SandboxProblem(404, 'NOT_FOUND', `No route for ${method} ${url.pathname}`);
  }
  runtime.requestCounts[template] = (runtime.requestCounts[template] ?? 0) + 1;

  const fault = runtime.faults.take(template);
  const params: Record<string, string> = {};
  if (route) {
    const match = route.pattern.exec(url.pathname);
    route.paramNames.forEach((name, i) => {
      params[name] = decodeURIComponent(match?.[i + 1] ?? '');
    });
  }

  // Overlap tracking spans latency and handling, so concurrent writes on one contract are seen.
  const body = isToken ? undefined : parseJson(text);
  const contractKey = route?.write ? contractKeyOf(runtime, route.template, params, body) : null;
  if (route?.write) runtime.writeCalls += 1;
  if (contractKey !== null) {
    const inFlight = runtime.inFlightWrites.get(contractKey) ?? 0;
    if (inFlight > 0) runtime.overlaps[contractKey] = (runtime.overlaps[contractKey] ?? 0) + 1;
    runtime.inFlightWrites.set(contractKey, inFlight + 1);
  }
  try {
    const latency = faultLatencyMs(fault);
    if (latency > 0) await sleep(latency);
    const decision = faultDecision(fault);
    if (decision.kind === 'status') {
      throw new SandboxProblem(decision.status, decision.code, decision.detail ?? 'Injected fault', { headers: decision.headers });
    }
    if (isToken) {
      handleToken(runtime, req, text, res);
      return;
    }
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    if (!token || !runtime.tokenValid(token)) {
      throw new SandboxProblem(401, 'INVALID_TOKEN', 'The access token is missing, invalid or expired', {
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      });
    }
    if (!route) return;

    const key = req.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' && key !== '' ? key : undefined;
    let result: ApiResult;
    const remembered = idempotencyKey ? runtime.data.idempotency[idempotencyKey] : undefined;
    if (remembered) {
      if (remembered.method !== method || remembered.path !== url.pathname || remembered.bodyHash !== bodyHash(text)) {
        throw new SandboxProblem(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
      }
      // A replay answers with the first 2xx result, as 200.
      result = { status: 200, body: remembered.body };
    } else {
      result = route.handler({ params, query: url.searchParams, body, data: runtime.data });
      if (idempotencyKey && method === 'POST' && result.status >= 200 && result.status < 300) {
        runtime.data.idempotency[idempotencyKey] = { method, path: url.pathname, bodyHash: bodyHash(text), status: result.status, body: result.body };
      }
      if (route.write) runtime.persist();
    }
    if (fault?.commitThenTimeoutMs !== undefined) {
      // Committed above; now the answer never comes: the client sees a timeout or a reset.
      await sleep(fault.commitThenTimeoutMs);
      req.socket.destroy();
      return;
    }
    runtime.statusCounts[String(result.status)] = (runtime.statusCounts[String(result.status)] ?? 0) + 1;
    sendJson(res, result.status, result.body, { 'x-request-id': requestId });
  } catch (thrown) {
    if (!(thrown instanceof SandboxProblem)) throw thrown;
    runtime.statusCounts[String(thrown.status)] = (runtime.statusCounts[String(thrown.status)] ?? 0) + 1;
    sendProblem(res, thrown, requestId);
  } finally {
    if (contractKey !== null) runtime.inFlightWrites.set(contractKey, (runtime.inFlightWrites.get(contractKey) ?? 1) - 1);
  }
}

/** The IoT platform sandbox: the contract of iot-platform-api.md §2, strict, with admin controls under `/__admin`. */
export function createSandboxServer(options: SandboxOptions): SandboxServer {
  const runtime = createSandboxRuntime(options);
  const server: Server = createServer((req, res) => {
    handle(runtime, req, res).catch((thrown: unknown) => {
      const requestId = newRequestId();
      if (res.headersSent || res.destroyed) return;
      if (thrown instanceof SandboxProblem) sendProblem(res, thrown, requestId);
      else sendProblem(res, new SandboxProblem(500, 'INTERNAL_ERROR', 'Unexpected sandbox error'), requestId);
    });
  });
  server.keepAliveTimeout = 5000;
  return {
    runtime,
    listen: () =>
      new Promise((resolve, reject) => {
        if (!isLoopbackHost(runtime.options.host) && runtime.options.adminToken === undefined) {
          reject(new SandboxBindError(runtime.options.host));
          return;
        }
        server.once('error', reject);
        server.listen(runtime.options.port, runtime.options.host, () => {
          const address = server.address() as AddressInfo;
          resolve(`http://${runtime.options.host}:${address.port}`);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
