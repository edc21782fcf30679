import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIotPlatformClient } from '../../../src/iot-client/iot-platform-client';
import { createMemoryTokenStore } from '../../../src/iot-client/token-store';
import { ENDPOINTS, endpointKey } from '../../../src/iot-client/api-contract';
import { createReconcileEvents } from '../../../src/handlers/reconcile-events';
import type { ConnectorMonitor } from '../../../src/ops/connector-monitor';
import type { LagMonitor } from '../../../src/ops/lag-monitor';
import { createMetrics } from '../../../src/ops/metrics';
import { bindIotClientEvents, bindReconcileEvents } from '../../../src/ops/ops-bindings';
import { waitFor } from '../../helpers/wait-for';
import { createOpsMonitor } from '../../../src/ops/ops-monitor';
import type { WorkSetMonitor } from '../../../src/ops/work-set-monitor';

function idleMonitor() {
  const metrics = createMetrics({ defaultMetrics: false });
  const idle = { start: () => undefined, stop: async () => undefined, poll: async () => ({}) as never };
  const monitor = createOpsMonitor({
    metrics,
    lag: { ...idle, snapshot: () => ({ groupId: 'g', ok: true, error: null, checkedAt: 0, partitions: [], missingTopics: [], dlqRecords: null, probes: 0 }) } as LagMonitor,
    connector: { ...idle, snapshot: () => ({ name: 'c', state: 'RUNNING', tasks: [], detail: null, checkedAt: 0 }) } as ConnectorMonitor,
    workSet: { ...idle, snapshot: () => ({ ok: true, error: null, checkedAt: 0, backlog: 0, oldestAgeSeconds: 0, leased: 0, parkedByReason: {}, recentFailures: [], heldChanges: [] }) } as WorkSetMonitor,
  });
  return { metrics, monitor };
}

/** A platform stand-in on loopback: a token, and GET /customers/{id} answering 404 after `delayMs`. */
async function slowPlatform(delayMs: number): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const answer = (status: number, body: object): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST') return answer(200, { access_token: 'test-token', token_type: 'Bearer', expires_in: 3600 });
    setTimeout(() => answer(404, { code: 'NOT_FOUND', message: 'no such customer' }), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('ops bindings', () => {
  afterEach(() => jest.useRealTimers());

  it('export every breaker closed before any call, and the rate limiter in flight, waiting and wait time', async () => {
    const { metrics, monitor } = idleMonitor();
    const platform = await slowPlatform(150);
    const client = createIotPlatformClient(
      { tokenStore: createMemoryTokenStore() },
      { baseUrl: platform.url, clientId: 'id', clientSecret: 'secret', maxConcurrency: 1, maxRequestsPerSecond: 1000, maxAttempts: 1 },
    );
    let calls: Array<Promise<unknown>> = [];
    try {
      const unbind = bindIotClientEvents(client, monitor);
      monitor.beforeScrape();
      let text = await metrics.registry.metrics();
      for (const breaker of ['host', 'POST /oauth/token', ...Object.values(ENDPOINTS).map(endpointKey)]) {
        expect(text).toContain(`ixc_iot_sync_breaker_state{breaker="${breaker}"} 0`);
      }
      expect(text).toContain('ixc_iot_sync_api_limiter_in_flight 0');

      // One slot: while the first lookup holds it, the other two wait.
      await client.checkToken();
      calls = [client.getCustomer('a'), client.getCustomer('b'), client.getCustomer('c')];
      await waitFor(() => client.limiterStats().waiting === 2, { timeoutMs: 2000, intervalMs: 5, what: 'two lookups waiting' });
      monitor.beforeScrape();
      text = await metrics.registry.metrics();
      expect(text).toContain('ixc_iot_sync_api_limiter_in_flight 1');
      expect(text).toContain('ixc_iot_sync_api_limiter_waiting 2');
      expect(await Promise.all(calls)).toEqual([null, null, null]);
      monitor.beforeScrape();
      text = await metrics.registry.metrics();
      expect(text).toContain('ixc_iot_sync_api_limiter_waiting 0');
      // The token request plus three lookups waited for a slot: the second lookup about one
      // lookup (150 ms), the third about two; lower bounds only (a loaded machine waits longer).
      expect(text).toContain('ixc_iot_sync_api_limiter_wait_seconds_count 4');
      const waited = Number(/^ixc_iot_sync_api_limiter_wait_seconds_sum (\S+)$/m.exec(text)?.[1]);
      expect(waited).toBeGreaterThanOrEqual(0.4);
      expect(text).toContain('ixc_iot_sync_api_limiter_wait_seconds_bucket{le="0.01"} 2');
      unbind();
    } finally {
      await Promise.allSettled(calls);
      client.close();
      await new Promise((resolve) => platform.server.close(resolve));
    }
  });

  it('count each reconcile once by outcome, track faults, API calls and breakers', async () => {
    // A frozen clock: the change is exactly 1.5 s old at its write-back, however slow the machine.
    jest.useFakeTimers({ now: 1_765_000_000_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const metrics = createMetrics({ defaultMetrics: false });
    const idle = { start: () => undefined, stop: async () => undefined, poll: async () => ({}) as never };
    const monitor = createOpsMonitor({
      metrics,
      lag: { ...idle, snapshot: () => ({ groupId: 'g', ok: true, error: null, checkedAt: 0, partitions: [], missingTopics: [], dlqRecords: null, probes: 0 }) } as LagMonitor,
      connector: { ...idle, snapshot: () => ({ name: 'c', state: 'RUNNING', tasks: [], detail: null, checkedAt: 0 }) } as ConnectorMonitor,
      workSet: { ...idle, snapshot: () => ({ ok: true, error: null, checkedAt: 0, backlog: 0, oldestAgeSeconds: 0, leased: 0, parkedByReason: {}, recentFailures: [], heldChanges: [] }) } as WorkSetMonitor,
    });
    const events = createReconcileEvents();
    const client = new EventEmitter();
    const signals = { events: client, breakerStates: () => ({}), limiterStats: () => ({ active: 0, waiting: 0 }) };
    const unbind = [bindReconcileEvents(events, monitor), bindIotClientEvents(signals, monitor)];

    events.emit('reconcile:success', { contractId: 1, outcome: 'applied', actions: 2, durationMs: 50, newerGeneration: false, warnings: [], sourceTsMs: Date.now() - 1500 });
    events.emit('reconcile:parked', { contractId: 2, reason: 'invalid_document', detail: '' });
    // A failure that parks is already counted by reconcile:parked.
    events.emit('reconcile:failure', { contractId: 2, error: new Error('422'), disposition: 'park', durationMs: 10 });
    events.emit('reconcile:failure', { contractId: 3, error: new Error('503'), disposition: 'retry', durationMs: 10 });
    events.emit('config:fault', { error: new Error('403 Forbidden'), pauseMs: 1000 });
    client.emit('request', { endpoint: 'GET /products', status: null, durationMs: 5, attempt: 1 });
    client.emit('breaker:open', { breaker: 'GET /products', state: 'open' });

    const text = await metrics.registry.metrics();
    expect(text).toContain('ixc_iot_sync_reconciles_total{outcome="applied"} 1');
    // The change happened 1.5 s before its write-back: counted in the 2 s bucket, not in the 1 s one.
    expect(text).toContain('ixc_iot_sync_end_to_end_latency_seconds_bucket{le="1"} 0');
    expect(text).toContain('ixc_iot_sync_end_to_end_latency_seconds_bucket{le="2"} 1');
    expect(text).toContain('ixc_iot_sync_reconciles_total{outcome="parked"} 1');
    expect(text).toContain('ixc_iot_sync_reconciles_total{outcome="failed"} 1');
    expect(text).toContain('ixc_iot_sync_configuration_fault 1');
    expect(text).toContain('ixc_iot_sync_api_requests_total{endpoint="GET /products",status="error"} 1');
    expect(text).toContain('ixc_iot_sync_breaker_state{breaker="GET /products"} 2');
    expect(monitor.readinessSnapshot().openBreakers.map((b) => b.name)).toEqual(['GET /products']);

    events.emit('reconcile:success', { contractId: 1, outcome: 'noop', actions: 0, durationMs: 5, newerGeneration: false, warnings: [], sourceTsMs: null });
    expect(monitor.readinessSnapshot().configurationFault).toBeNull();
    unbind.forEach((f) => f());
    client.emit('breaker:close', { breaker: 'GET /products', state: 'closed' });
    expect(await metrics.registry.metrics()).toContain('ixc_iot_sync_breaker_state{breaker="GET /products"} 2');
  });
});
