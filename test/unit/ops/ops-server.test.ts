import type { ConnectorMonitor, ConnectorSnapshot } from '../../../src/ops/connector-monitor';
import type { LagMonitor, LagSnapshot } from '../../../src/ops/lag-monitor';
import http from 'node:http';
import { OpsOptionError } from '../../../src/ops/errors';
import { createMetrics } from '../../../src/ops/metrics';
import { createOpsMonitor, type OpsMonitor } from '../../../src/ops/ops-monitor';
import { createOpsServer, type OpsServer } from '../../../src/ops/ops-server';
import type { WorkSetMonitor, WorkSetSnapshot } from '../../../src/ops/work-set-monitor';

/** Fixed snapshots stand in for the monitors: this tests routing, auth, readiness and the document. */
function fixed<T>(value: T): { start(): void; stop(): Promise<void>; poll(): Promise<T>; snapshot(): T } {
  return { start: () => undefined, stop: async () => undefined, poll: async () => value, snapshot: () => value };
}

const NOW = 1_800_000_000_000;
const lag: LagSnapshot = {
  groupId: 'g', ok: true, error: null, checkedAt: NOW, missingTopics: [], dlqRecords: 2, probes: 1,
  partitions: [{ topic: 't', partition: 0, committedOffset: '4', lowWatermark: '0', highWatermark: '10', nextOffset: '4', lag: 6, lagSeconds: 42, oldestUnconsumedAt: NOW - 42_000, lastProgressAt: NOW - 1_000 }],
};
const connector: Omit<ConnectorSnapshot, 'checkedAt'> & { checkedAt: number } = { name: 'c', state: 'RUNNING', tasks: [{ id: 0, state: 'RUNNING', workerId: null, trace: null }], detail: null, checkedAt: NOW };
const workSet: WorkSetSnapshot = {
  ok: true, error: null, checkedAt: NOW, backlog: 7, oldestAgeSeconds: 12.5, leased: 1, parkedByReason: { invalid_document: 2 },
  recentFailures: [{ contractId: 9, error: 'CPF 123.***.***-09 rejected', attempts: 3, parkedReason: 'invalid_document', ageSeconds: 5 }],
  heldChanges: [],
};

describe('ops server', () => {
  let monitor: OpsMonitor;
  let server: OpsServer;
  let url: string;

  const start = async (token?: string, extra: { host?: string; allowedHosts?: string[] } = {}): Promise<void> => {
    const metrics = createMetrics({ defaultMetrics: false });
    monitor = createOpsMonitor(
      { metrics, lag: fixed(lag) as LagMonitor, connector: fixed(connector) as ConnectorMonitor, workSet: fixed(workSet) as WorkSetMonitor, now: () => NOW },
      {},
    );
    server = createOpsServer({ monitor, metrics }, { port: 0, ...extra, ...(token ? { token } : {}) });
    url = (await server.start()).url;
  };
  afterEach(async () => server?.stop());

  /** fetch() cannot set Host; a raw request can, as a rebinding browser would send it. */
  const getWithHost = (path: string, host: string, headers: Record<string, string> = {}): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = http.get(`${url}${path}`, { headers: { ...headers, host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });

  it('answers health, readiness with reasons, metrics, the status document and the page', async () => {
    await start();
    expect((await fetch(`${url}/health`)).status).toBe(200);
    let ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, reasons: ['no connector heartbeat seen yet'] });
    monitor.reportHeartbeat(NOW - 1_000);
    ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);

    monitor.reportReconcile({ outcome: 'success', durationMs: 120 });
    monitor.reportApiCall({ endpoint: 'POST /customers', status: 201, durationMs: 30 });
    monitor.reportBreaker('POST /licenses', 'open');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('ixc_iot_sync_reconciles_total{outcome="success"} 1');
    expect(metrics).toContain('ixc_iot_sync_api_requests_total{endpoint="POST /customers",status="201"} 1');
    expect(metrics).toContain('ixc_iot_sync_breaker_state{breaker="POST /licenses"} 2');
    expect(metrics).toContain('ixc_iot_sync_connector_heartbeat_age_seconds 1');

    const status = (await (await fetch(`${url}/status.json`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      lag: { totalLag: 6, maxLagSeconds: 42 },
      workSet: { backlog: 7, parkedByReason: { invalid_document: 2 } },
      reconciles: { success: 1 },
      breakers: [{ name: 'POST /licenses', state: 'open', forSeconds: 0 }],
      dlq: { topicRecords: 2 },
      connector: { state: 'RUNNING', heartbeatAgeSeconds: 1 },
    });
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('fetch("status.json"');
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/ready`, { method: 'POST' })).status).toBe(405);
  });

  it('requires the token on metrics and the status page, as a bearer token or the Basic password; probes answer without it', async () => {
    await start('s3cret-token');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    // The probe's verdict without the token, its reasons only with it.
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false });
    const withToken = await fetch(`${url}/ready`, { headers: { authorization: 'Bearer s3cret-token' } });
    expect(await withToken.json()).toEqual({ ready: false, reasons: ['no connector heartbeat seen yet'] });
    monitor.reportHeartbeat(NOW - 1_000);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    for (const path of ['/metrics', '/status.json', '/']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect((await fetch(`${url}${path}`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    }
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
    const basic = `Basic ${Buffer.from('ops:s3cret-token').toString('base64')}`;
    expect((await fetch(`${url}/status.json`, { headers: { authorization: basic } })).status).toBe(200);
    for (const wrong of ['ops:s3cret-tokeN', 'ops:', 'ops:s3cret-token-and-more', 's3cret-token:ops']) {
      const header = `Basic ${Buffer.from(wrong).toString('base64')}`;
      expect({ wrong, status: (await fetch(`${url}/status.json`, { headers: { authorization: header } })).status }).toEqual({ wrong, status: 401 });
    }
  });

  it('refuses to bind beyond loopback without a token, naming OPS_HOST and OPS_TOKEN', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const deps = { monitor: createOpsMonitor({ metrics, lag: fixed(lag) as LagMonitor, connector: fixed(connector) as ConnectorMonitor, workSet: fixed(workSet) as WorkSetMonitor }), metrics };
    for (const host of ['0.0.0.0', '::', '10.1.2.3', 'ops.isp.example']) {
      expect(() => createOpsServer(deps, { host, port: 0 })).toThrow(OpsOptionError);
      expect(() => createOpsServer(deps, { host, port: 0 })).toThrow(/OPS_HOST=.*OPS_TOKEN/);
    }
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) expect(() => createOpsServer(deps, { host, port: 0 })).not.toThrow();
    expect(() => createOpsServer(deps, { host: '0.0.0.0', port: 0, token: 't' })).not.toThrow();
  });

  it('serves only loopback names, IP addresses and the allowed host names (DNS rebinding)', async () => {
    await start('tok', { allowedHosts: ['ixc-iot-sync.monitoring.svc'] });
    const auth = { authorization: 'Bearer tok' };
    const port = new URL(url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `10.0.0.7:${port}`, `IXC-IOT-SYNC.monitoring.svc:${port}`, 'localhost']) {
      expect(await getWithHost('/status.json', host, auth)).toBe(200);
    }
    for (const path of ['/status.json', '/metrics', '/', '/ready', '/health']) {
      expect(await getWithHost(path, `rebind.attacker.example:${port}`, auth)).toBe(421);
    }
    expect(await getWithHost('/status.json', 'localhost.attacker.example', auth)).toBe(421);
  });
});
