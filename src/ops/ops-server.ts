import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { coerceError } from '../lib/coerce-error';
import type { Logger } from '../lib/logger';
import { OpsOptionError } from './errors';
import type { Metrics } from './metrics';
import type { OpsMonitor } from './ops-monitor';
import { STATUS_PAGE_HTML } from './status-page';

export interface OpsServerOptions {
  /** Interface to bind. Loopback unless the operator says otherwise. @defaultValue `127.0.0.1` */
  host?: string;
  /** 0 picks a free port (tests). @defaultValue 9464 */
  port?: number;
  /**
   * Required on every path but `/health` when set, as `Authorization: Bearer <token>` or as the
   * password of HTTP Basic auth (browsers prompt for it; the status page's fetches reuse it).
   */
  token?: string;
}

export const DEFAULT_OPS_SERVER_OPTIONS = {
  host: '127.0.0.1',
  port: 9464,
  token: '',
} satisfies Required<OpsServerOptions>;

export interface OpsServerDeps {
  monitor: OpsMonitor;
  metrics: Metrics;
  logger?: Logger;
}

export interface OpsServer {
  /** Binds and resolves with the address actually bound. */
  start(): Promise<{ host: string; port: number; url: string }>;
  /** Stops accepting, closes idle keep-alive sockets; idempotent. */
  stop(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * The ops port: `/health` (the process answers), `/ready` (200 or 503 with reasons),
 * `/metrics` (Prometheus text), `/status.json` and `/` (the status page). Read-only; nothing
 * here changes the worker.
 */
export function createOpsServer(deps: OpsServerDeps, options: OpsServerOptions = {}): OpsServer {
  const o = { ...DEFAULT_OPS_SERVER_OPTIONS, ...options };
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new OpsOptionError('port', `must be 0-65535, got ${o.port}`);
  const log = deps.logger?.child({ module: 'ops-server' });
  if (!o.token && !LOOPBACK.has(o.host)) log?.warn('ops port bound beyond loopback without a token', { host: o.host });
  const expected = o.token ? digest(o.token) : null;

  const authorized = (req: http.IncomingMessage): boolean => {
    if (!expected) return true;
    const header = req.headers.authorization ?? '';
    let presented: string | null = null;
    if (/^Bearer /i.test(header)) presented = header.slice(7).trim();
    else if (/^Basic /i.test(header)) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      presented = decoded.slice(decoded.indexOf(':') + 1);
    }
    return presented !== null && timingSafeEqual(digest(presented), expected);
  };

  const send = (res: http.ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra });
    res.end(body);
  };
  const json = (res: http.ServerResponse, status: number, value: unknown): void =>
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://ops.local').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'Method Not Allowed\n', { allow: 'GET, HEAD' });
    if (path === '/health') return json(res, 200, { status: 'alive' });
    if (!authorized(req)) {
      return send(res, 401, 'text/plain', 'Unauthorized\n', { 'www-authenticate': 'Basic realm="ixc-iot-sync ops", charset="UTF-8"' });
    }
    switch (path) {
      case '/ready': {
        const r = deps.monitor.readiness();
        return json(res, r.ready ? 200 : 503, r);
      }
      case '/metrics': {
        deps.monitor.beforeScrape();
        return send(res, 200, deps.metrics.registry.contentType, await deps.metrics.registry.metrics());
      }
      case '/status.json':
        return json(res, 200, await deps.monitor.status());
      case '/':
      case '/index.html':
        return send(res, 200, 'text/html; charset=utf-8', STATUS_PAGE_HTML, {
          'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
        });
      default:
        return send(res, 404, 'text/plain', 'Not Found\n');
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((thrown: unknown) => {
      log?.error('ops request failed', { error: coerceError(thrown) });
      if (!res.headersSent) send(res, 500, 'text/plain', 'Internal Server Error\n');
      else res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  let started = false;

  return {
    async start() {
      if (!started) {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(o.port, o.host, () => {
            server.off('error', reject);
            resolve();
          });
        });
        started = true;
      }
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return { host: address.address, port: address.port, url: `http://${host}:${address.port}` };
    },
    async stop() {
      if (!started) return;
      started = false;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}

/** Fixed-length digests make the comparison constant-time whatever the presented length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
