import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { coerceError } from '../lib/coerce-error';
import { isLoopbackHost } from '../lib/loopback';
import type { Logger } from '../lib/logger';
import { OpsOptionError } from './errors';
import type { Metrics } from './metrics';
import type { OpsMonitor } from './ops-monitor';
import { STATUS_PAGE_HTML } from './status-page';

interface OpsServerOptions {
  /** Interface to bind. Loopback unless the operator says otherwise. @defaultValue `127.0.0.1` */
  host?: string;
  /** 0 picks a free port (tests). @defaultValue 9464 */
  port?: number;
  /**
   * Required on `/metrics`, `/status.json` and the status page when set, as
   * `Authorization: Bearer <token>` or as the password of HTTP Basic auth (browsers prompt for it;
   * the status page's fetches reuse it). `/health` and `/ready` answer without it (probes), and
   * `/ready` then gives its verdict without the reasons. Required when `host` is not loopback.
   */
  token?: string;
  /**
   * Host names the ops port answers to, besides loopback names and IP addresses (a `Host` header
   * naming anything else is refused: DNS rebinding). E.g. a Service name scraped by Prometheus.
   * @defaultValue `[]`
   */
  allowedHosts?: readonly string[];
}

const DEFAULT_OPS_SERVER_OPTIONS = {
  host: '127.0.0.1',
  port: 9464,
  token: '',
  allowedHosts: [],
} satisfies Required<OpsServerOptions>;

interface OpsServerDeps {
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

/** The host part of a `Host` header (`name`, `name:port`, `[v6]:port`), lower-cased. */
function hostOfHeader(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/**
 * The ops port: `/health` (the process answers), `/ready` (200 or 503 with reasons),
 * `/metrics` (Prometheus text), `/status.json` and `/` (the status page). Read-only; nothing
 * here changes the worker.
 */
export function createOpsServer(deps: OpsServerDeps, options: OpsServerOptions = {}): OpsServer {
  const o = { ...DEFAULT_OPS_SERVER_OPTIONS, ...options };
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new OpsOptionError('port', `must be 0-65535, got ${o.port}`);
  const log = deps.logger?.child({ module: 'ops-server' });
  if (!o.token && !isLoopbackHost(o.host)) {
    throw new OpsOptionError('host', `OPS_HOST=${o.host} exposes the ops port beyond loopback: set OPS_TOKEN (a long random string) or bind OPS_HOST to 127.0.0.1`);
  }
  const expected = o.token ? digest(o.token) : null;
  const allowedNames = new Set([...o.allowedHosts.map((h) => h.trim().toLowerCase()).filter(Boolean), ...(isIP(o.host) ? [] : [o.host.toLowerCase()])]);
  // DNS rebinding makes a browser send an attacker's name in Host while connecting to this port;
  // an IP literal or a loopback name cannot be rebound, so only other names need listing.
  const hostAllowed = (req: http.IncomingMessage): boolean => {
    const header = req.headers.host;
    if (header === undefined) return true;
    const host = hostOfHeader(header);
    return isIP(host) !== 0 || isLoopbackHost(host) || allowedNames.has(host);
  };

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
    if (!hostAllowed(req)) return send(res, 421, 'text/plain', 'Misdirected Request: host not served (OPS_ALLOWED_HOSTS)\n');
    if (path === '/health') return json(res, 200, { status: 'alive' });
    // Probes carry no token: the verdict is public, the reasons (which name topics and faults) are not.
    if (path === '/ready') {
      const r = deps.monitor.readiness();
      return json(res, r.ready ? 200 : 503, authorized(req) ? r : { ready: r.ready });
    }
    if (!authorized(req)) {
      return send(res, 401, 'text/plain', 'Unauthorized\n', { 'www-authenticate': 'Basic realm="ixc-iot-sync ops", charset="UTF-8"' });
    }
    switch (path) {
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
