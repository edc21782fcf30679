import { EventEmitter } from 'node:events';
import { createReconcileEvents } from '../../../src/handlers/reconcile-events';
import type { ConnectorMonitor } from '../../../src/ops/connector-monitor';
import type { LagMonitor } from '../../../src/ops/lag-monitor';
import { createMetrics } from '../../../src/ops/metrics';
import { bindIotClientEvents, bindReconcileEvents } from '../../../src/ops/ops-bindings';
import { createOpsMonitor } from '../../../src/ops/ops-monitor';
import type { WorkSetMonitor } from '../../../src/ops/work-set-monitor';

describe('ops bindings', () => {
  afterEach(() => jest.useRealTimers());

  it('count each reconcile once by outcome, track faults, API calls and breakers', async () => {
    // A frozen clock: the change is exactly 1.5 s old at its write-back, however slow the machine.
    jest.useFakeTimers({ now: 1_765_000_000_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const metrics = createMetrics({ defaultMetrics: false });
    const idle = { start: () => undefined, stop: async () => undefined, poll: async () => ({}) as never };
    const monitor = createOpsMonitor({
      metrics,
      lag: { ...idle, snapshot: () => ({ groupId: 'g', ok: true, error: null, checkedAt: 0, partitions: [], missingTopics: [], dlqRecords: null, probes: 0 }) } as LagMonitor,
      connector: { ...idle, snapshot: () => ({ name: 'c', state: 'RUNNING', tasks: [], detail: null, checkedAt: 0 }) } as ConnectorMonitor,
      workSet: { ...idle, snapshot: () => ({ ok: true, error: null, checkedAt: 0, backlog: 0, oldestAgeSeconds: 0, leased: 0, parkedByReason: {}, recentFailures: [] }) } as WorkSetMonitor,
    });
    const events = createReconcileEvents();
    const client = new EventEmitter();
    const unbind = [bindReconcileEvents(events, monitor), bindIotClientEvents(client, monitor)];

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
