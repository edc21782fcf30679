import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import pRetry from 'p-retry';
import type { CallContext } from '../handlers/ports/iot-platform';
import { PlatformError } from '../handlers/ports/platform-errors';
import { backoffDelayMs } from '../lib/backoff';
import { coerceError } from '../lib/coerce-error';
import type { Logger } from '../lib/logger';
import { maskText } from '../lib/mask';
import { endpointKey, fillPath, HEADERS, problemFromWire, type EndpointDef } from './api-contract';
import type { ApiAuditRecorder } from './api-audit-recorder';
import type { BreakerRegistry } from './breakers';
import type { IotClientOptions } from './client-options';
import { IotApiPermanentError, IotApiUnavailableError, IotConfigurationError, IotRescheduleError } from './errors';
import type { RateLimiter } from './rate-limiter';
import { abortableSleep } from './rate-limiter';
import { parseRetryAfter } from './retry-after';
import type { TokenManager } from './token-manager';

/** What the transport takes of the client's options (documented in IotClientOptions). */
export type TransportOptions = Pick<
  IotClientOptions,
  'baseUrl' | 'readTimeoutMs' | 'connectTimeoutMs' | 'maxAttempts' | 'backoffBaseMs' | 'backoffMaxMs' | 'backoffJitter' | 'maxRetryAfterWaitMs' | 'maxResponseBytes'
>;

export interface TransportRequest {
  endpoint: EndpointDef;
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body. */
  body?: unknown;
  /** Form body (token call in `form` encoding). */
  form?: Record<string, string>;
  basicAuth?: { user: string; password: string };
  idempotencyKey?: string;
  /** Send the bearer token and handle 401 by refreshing once. @defaultValue true */
  auth?: boolean;
  /** Safe to repeat. Defaults: GET/PUT/PATCH/DELETE yes, POST only with an Idempotency-Key. */
  retry?: boolean;
  /** Called after an ambiguous failure (timeout, reset, 5xx after sending); throw FoundAfterAmbiguous to end the call. */
  onAmbiguous?: () => Promise<void>;
  ctx?: CallContext;
}

export interface TransportResponse {
  status: number;
  body: unknown;
}

/** Thrown by `onAmbiguous` when the lookup found the object the timed-out request created. */
export class FoundAfterAmbiguous<T> extends Error {
  readonly value: T;
  constructor(value: T) {
    super('Found after an ambiguous outcome');
    this.name = 'FoundAfterAmbiguous';
    this.value = value;
  }
}

export interface TransportDeps {
  limiter: RateLimiter;
  breakers: BreakerRegistry;
  audit?: ApiAuditRecorder;
  logger?: Logger;
  events?: EventEmitter;
}

/** Emitted as `request` on the events emitter (for metrics). */
export interface RequestEvent {
  endpoint: string;
  status: number | null;
  durationMs: number;
  attempt: number;
}

export interface IotTransport {
  send(req: TransportRequest): Promise<TransportResponse>;
  /** Late binding: the token manager needs the transport for its own call. */
  setTokenManager(tokens: TokenManager): void;
}

/** axios's http adapter calls `socket.setKeepAlive(true, 60 s)` on each request's socket. */
const AXIOS_SOCKET_KEEP_ALIVE_MS = 60_000;

const NOT_SENT_CODES = new Set(['ECONNTIMEOUT', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * A keep-alive agent for the base URL's protocol whose sockets give up when the TCP connection is
 * not up within `connectTimeoutMs` (nothing was sent). keepAliveMsecs matches the probe delay
 * axios sets on every request's socket: with two different values each request re-armed the
 * socket's keep-alive twice (two setsockopt calls per request).
 */
function createConnectTimeoutAgent(baseUrl: string, connectTimeoutMs: number): http.Agent {
  const agentOptions = { keepAlive: true, keepAliveMsecs: AXIOS_SOCKET_KEEP_ALIVE_MS, maxSockets: 64 };
  const agent = baseUrl.startsWith('https:') ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const base = (agent as unknown as { createConnection: (...args: unknown[]) => import('node:net').Socket }).createConnection.bind(agent);
  (agent as unknown as { createConnection: (...args: unknown[]) => import('node:net').Socket }).createConnection = (...args: unknown[]) => {
    const socket = base(...args);
    if (socket.connecting) {
      const timer = setTimeout(() => {
        socket.destroy(Object.assign(new Error(`connect timeout after ${connectTimeoutMs} ms`), { code: 'ECONNTIMEOUT' }));
      }, connectTimeoutMs);
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    }
    return socket;
  };
  return agent;
}

/** A transport failure as a code: `ECONNRESET`, `ETIMEDOUT`, `ERESPONSETOOLARGE`… never the library's message. */
function networkErrorCode(thrown: unknown, maxResponseBytes: number): string {
  const code = (thrown as { code?: unknown }).code;
  const message = thrown instanceof Error ? thrown.message : '';
  if (message.startsWith(`maxContentLength size of ${maxResponseBytes} exceeded`)) return 'ERESPONSETOOLARGE';
  return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? code : 'ENETWORK';
}

function parseBody(data: unknown): unknown {
  if (typeof data !== 'string' || data === '') return data === '' ? undefined : data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

/**
 * What of an error body may be kept: codes and field names. The platform's free text (`detail`,
 * `title`, field messages) may quote a customer's name, and would reach sync rows, the status page,
 * logs and audit rows.
 */
function problemSummary(body: unknown, status: number): { code?: string; request_id?: string; existing_id?: string; fields?: string[] } {
  const problem = problemFromWire(body, status);
  const fields = problem.fieldErrors.map((f) => f.field).filter(Boolean);
  return {
    ...(problem.code ? { code: problem.code } : {}),
    ...(problem.requestId ? { request_id: problem.requestId } : {}),
    ...(problem.existingId ? { existing_id: problem.existingId } : {}),
    ...(fields.length > 0 ? { fields } : {}),
  };
}

function errorFromResponse(res: AxiosResponse, endpoint: string, method: string, nowMs: number): PlatformError {
  const body = parseBody(res.data);
  const problem = problemFromWire(body, res.status);
  const retryAfterMs = parseRetryAfter(res.headers[HEADERS.retryAfter] as string | undefined, nowMs);
  const requestId = problem.requestId ?? (res.headers[HEADERS.requestId] as string | undefined);
  const details = {
    status: res.status,
    code: problem.code,
    fieldErrors: problem.fieldErrors.map((f) => ({ field: f.field, message: '' })),
    requestId,
    endpoint,
    retryAfterMs,
    existingId: problem.existingId,
  };
  // Method, path, status and code only: the platform's detail may quote personal data.
  const message = `${endpoint} → ${res.status}${problem.code ? ` ${maskText(problem.code)}` : ''}`;
  if (res.status === 403) return new IotConfigurationError(message, details);
  if (res.status === 429) return new IotApiUnavailableError(message, details);
  if (res.status >= 500) return new IotApiUnavailableError(message, { ...details, ambiguous: method === 'POST' });
  return new IotApiPermanentError(message, details);
}

/**
 * The one edge where HTTP happens: rate limit and concurrency, breakers (endpoint + host),
 * bearer token with one refresh on 401, retries with backoff and Retry-After, and one audit
 * entry per request sent. Everything above it sees typed results and errors only.
 */
export function createIotTransport(deps: TransportDeps, options: TransportOptions): IotTransport {
  let tokens: TokenManager | undefined; // setTokenManager
  const agent = createConnectTimeoutAgent(options.baseUrl, options.connectTimeoutMs);
  const client: AxiosInstance = axios.create({
    baseURL: options.baseUrl.replace(/\/+$/, ''),
    timeout: options.readTimeoutMs,
    httpAgent: agent,
    httpsAgent: agent,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    maxContentLength: options.maxResponseBytes,
  });

  const emit = (event: RequestEvent) => {
    try {
      deps.events?.emit('request', event);
    } catch {
      // listeners never break a call
    }
  };

  /** One HTTP exchange, audited. */
  const exchange = async (req: TransportRequest, path: string, key: string, attempt: number, token: string | undefined): Promise<TransportResponse> => {
    const method = req.endpoint.method;
    const headers: Record<string, string> = { accept: 'application/json' };
    let data: string | undefined;
    if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      data = new URLSearchParams(req.form).toString();
    } else if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      data = JSON.stringify(req.body);
    }
    if (req.basicAuth) {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(req.basicAuth.user)}:${encodeURIComponent(req.basicAuth.password)}`).toString('base64')}`;
    }
    if (token) headers.authorization = `Bearer ${token}`;
    if (req.idempotencyKey) headers[HEADERS.idempotencyKey] = req.idempotencyKey;

    const started = Date.now();
    const at = new Date(started);
    let response: AxiosResponse;
    try {
      response = await client.request({ method, url: path, headers, data, signal: req.ctx?.signal });
    } catch (thrown) {
      // The AxiosError stays here: its config holds the Authorization header and the token call's body.
      const code = networkErrorCode(thrown, options.maxResponseBytes);
      const durationMs = Date.now() - started;
      const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
      deps.audit?.record({
        at, contractId: req.ctx?.contractId, method, path, endpoint: key, status: null, durationMs, attempt,
        idempotencyKey: req.idempotencyKey, requestBody: req.form ?? req.body, error: code,
      });
      emit({ endpoint: key, status: null, durationMs, attempt });
      if (req.ctx?.signal?.aborted) throw coerceError(req.ctx.signal.reason);
      throw new IotApiUnavailableError(`${key} failed: ${timedOut ? 'timeout' : code}`, {
        endpoint: key,
        code,
        ambiguous: method === 'POST' && !NOT_SENT_CODES.has(code),
      });
    }
    const durationMs = Date.now() - started;
    const body = parseBody(response.data);
    const ok = response.status >= 200 && response.status < 300;
    deps.audit?.record({
      at, contractId: req.ctx?.contractId, method, path, endpoint: key, status: response.status, durationMs, attempt,
      idempotencyKey: req.idempotencyKey, requestBody: req.form ?? req.body, responseBody: ok ? body : problemSummary(body, response.status),
      requestId: (response.headers[HEADERS.requestId] as string | undefined) ?? undefined,
    });
    emit({ endpoint: key, status: response.status, durationMs, attempt });
    if (ok) return { status: response.status, body };
    throw errorFromResponse(response, key, method, Date.now());
  };

  const send = async (req: TransportRequest): Promise<TransportResponse> => {
    const key = endpointKey(req.endpoint);
    let path = fillPath(req.endpoint.template, req.params);
    const query = Object.entries(req.query ?? {}).filter((e): e is [string, string | number | boolean] => e[1] !== undefined);
    if (query.length > 0) path += `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
    const method = req.endpoint.method;
    const retryable = req.retry ?? (method !== 'POST' || req.idempotencyKey !== undefined);
    const auth = req.auth ?? true;
    /** Errors that must end the call at once (already retried below, or decided). */
    const final = new WeakSet<Error>();

    const once = (attempt: number, token: string | undefined) =>
      deps.limiter.run(() => deps.breakers.run(key, () => exchange(req, path, key, attempt, token)), req.ctx?.signal);

    const attemptFn = async (attempt: number): Promise<TransportResponse> => {
      if (!auth) return once(attempt, undefined);
      if (!tokens) throw new IotConfigurationError('No token manager configured');
      let token: string;
      try {
        token = await tokens.getToken();
      } catch (thrown) {
        // The token call has its own retries; do not multiply them.
        const err = coerceError(thrown);
        final.add(err);
        throw err;
      }
      try {
        return await once(attempt, token);
      } catch (thrown) {
        const err = coerceError(thrown);
        if (!(err instanceof PlatformError) || err.status !== 401) throw err;
        let fresh: string;
        try {
          fresh = await tokens.refreshAfterUnauthorized(token);
        } catch (refreshThrown) {
          const refreshErr = coerceError(refreshThrown);
          final.add(refreshErr);
          throw refreshErr;
        }
        try {
          return await once(attempt, fresh);
        } catch (againThrown) {
          const again = coerceError(againThrown);
          if (again instanceof PlatformError && again.status === 401) {
            const configErr = new IotConfigurationError(`${key} → 401 after a token refresh: the credentials are not accepted`, {
              status: 401, code: again.code, endpoint: key, requestId: again.requestId, cause: again,
            });
            final.add(configErr);
            throw configErr;
          }
          throw again;
        }
      }
    };

    // An open breaker is not an IotApiUnavailableError: no call was made, so nothing to retry.
    const isRetriable = (err: Error): boolean => retryable && !final.has(err) && err instanceof IotApiUnavailableError;

    return pRetry(attemptFn, {
      retries: Math.max(0, options.maxAttempts - 1),
      minTimeout: 0,
      factor: 1,
      signal: req.ctx?.signal,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (!isRetriable(error) && !(error instanceof IotApiUnavailableError && error.ambiguous)) return;
        const apiErr = error as IotApiUnavailableError;
        if (apiErr.ambiguous && req.onAmbiguous) {
          try {
            await req.onAmbiguous();
          } catch (lookupThrown) {
            if (lookupThrown instanceof FoundAfterAmbiguous) throw lookupThrown;
            deps.logger?.warn('lookup after an ambiguous create failed', { endpoint: key, error: coerceError(lookupThrown).message });
          }
        }
        if (!isRetriable(error)) return;
        if (apiErr.retryAfterMs !== undefined && apiErr.retryAfterMs > options.maxRetryAfterWaitMs) {
          throw new IotRescheduleError(apiErr.retryAfterMs, { endpoint: key, status: apiErr.status, code: apiErr.code, cause: apiErr });
        }
        if (retriesLeft > 0) {
          deps.logger?.debug('retrying IoT request', { endpoint: key, attempt: attemptNumber, status: apiErr.status, code: apiErr.code });
        }
      },
      shouldRetry: async ({ error, attemptNumber }) => {
        if (!isRetriable(error)) return false;
        const apiErr = error as IotApiUnavailableError;
        const backoff = { baseMs: options.backoffBaseMs, maxMs: options.backoffMaxMs, jitter: options.backoffJitter };
        await abortableSleep(apiErr.retryAfterMs ?? backoffDelayMs(attemptNumber - 1, backoff), req.ctx?.signal);
        return true;
      },
    });
  };

  return {
    send,
    setTokenManager(manager) {
      tokens = manager;
    },
  };
}
