import type { ReconcileEvents } from '../handlers/reconcile-events';
import type { BreakerEvent } from '../iot-client/breakers';
import type { IotPlatformClient, LimiterWaitEvent } from '../iot-client/iot-platform-client';
import type { RequestEvent } from '../iot-client/http-transport';
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
    events.on('orphans:found', (e) => monitor.reportOrphans(e.orphans.length)),
  ];
  return () => off.forEach((f) => f());
}

/** What the ops state reads from the IoT client. */
type IotClientSignals = Pick<IotPlatformClient, 'events' | 'breakerStates' | 'limiterStats'>;

/**
 * Subscribes the ops state to the IoT client's `request`, `breaker:*` and `limiter:wait` events,
 * exports every breaker at once (closed ones too: "all closed", not "no data") and has the
 * limiter's in-flight and waiting counts read at each scrape.
 */
export function bindIotClientEvents(client: IotClientSignals, monitor: OpsMonitor): () => void {
  const { events } = client;
  const onRequest = (e: RequestEvent): void => monitor.reportApiCall({ endpoint: e.endpoint, status: e.status ?? 'error', durationMs: e.durationMs });
  const onBreaker = (e: BreakerEvent): void => monitor.reportBreaker(e.breaker, e.state);
  const onWait = (e: LimiterWaitEvent): void => monitor.reportLimiterWait(e.waitMs);
  for (const [name, state] of Object.entries(client.breakerStates())) monitor.reportBreaker(name, state);
  monitor.watchLimiter(() => client.limiterStats());
  events.on('request', onRequest);
  events.on('limiter:wait', onWait);
  for (const name of ['breaker:open', 'breaker:halfOpen', 'breaker:close']) events.on(name, onBreaker);
  return () => {
    events.off('request', onRequest);
    events.off('limiter:wait', onWait);
    for (const name of ['breaker:open', 'breaker:halfOpen', 'breaker:close']) events.off(name, onBreaker);
  };
}
