import type { EventEmitter } from 'node:events';
import type { ReconcileEvents } from '../handlers/reconcile-events';
import type { BreakerEvent, RequestEvent } from '../iot-client';
import type { OpsMonitor } from './ops-monitor';

/**
 * Subscribes the ops state to the reconcile loop's typed events (STYLE rule 16): outcomes,
 * durations, configuration faults. Each reconcile is counted once: a failure that parks is
 * counted by `reconcile:parked`. Returns the unsubscribe function.
 */
export function bindReconcileEvents(events: ReconcileEvents, monitor: OpsMonitor): () => void {
  const off = [
    events.on('reconcile:success', (e) => {
      monitor.reportReconcile({ outcome: e.outcome, durationMs: e.durationMs, sourceTsMs: e.sourceTsMs });
      // A reconcile that got through means the platform accepts the credentials again.
      monitor.reportConfigurationFault(null);
    }),
    events.on('reconcile:parked', () => monitor.reportReconcile({ outcome: 'parked' })),
    events.on('reconcile:failure', (e) => {
      if (e.disposition === 'park') return;
      monitor.reportReconcile({ outcome: e.disposition === 'retry' ? 'failed' : 'rescheduled', durationMs: e.durationMs });
    }),
    events.on('lease:lost', () => monitor.reportReconcile({ outcome: 'lease_lost' })),
    events.on('config:fault', (e) => monitor.reportConfigurationFault(e.error.message)),
  ];
  return () => off.forEach((f) => f());
}

/** Subscribes the ops state to the IoT client's `request` and `breaker:*` events. */
export function bindIotClientEvents(events: EventEmitter, monitor: OpsMonitor): () => void {
  const onRequest = (e: RequestEvent): void => monitor.reportApiCall({ endpoint: e.endpoint, status: e.status ?? 'error', durationMs: e.durationMs });
  const onBreaker = (e: BreakerEvent): void => monitor.reportBreaker(e.breaker, e.state);
  events.on('request', onRequest);
  for (const name of ['breaker:open', 'breaker:halfOpen', 'breaker:close']) events.on(name, onBreaker);
  return () => {
    events.off('request', onRequest);
    for (const name of ['breaker:open', 'breaker:halfOpen', 'breaker:close']) events.off(name, onBreaker);
  };
}
