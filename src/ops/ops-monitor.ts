import type { MarkBatchResult } from '../consumers/mark-batch';
import { maskText } from '../lib/mask';
import type { ConnectorMonitor, ConnectorSnapshot } from './connector-monitor';
import type { LagMonitor, LagSnapshot } from './lag-monitor';
import { BREAKER_STATE_VALUE, type Metrics } from './metrics';
import { DEFAULT_READINESS_OPTIONS, evaluateReadiness, type Readiness, type ReadinessOptions, type ReadinessSnapshot } from './readiness';
import type { WorkSetMonitor, WorkSetSnapshot } from './work-set-monitor';

type BreakerState = keyof typeof BREAKER_STATE_VALUE;

/** What the status page and `status --json` show; every personal datum in it is already masked. */
export interface StatusDocument {
  generatedAt: string;
  readiness: Readiness;
  connector: ConnectorSnapshot & { heartbeatAgeSeconds: number | null };
  lag: LagSnapshot & { totalLag: number; maxLagSeconds: number };
  workSet: WorkSetSnapshot;
  reconciles: Record<string, number>;
  api: Array<{ endpoint: string; status: string; count: number }>;
  breakers: Array<{ name: string; state: BreakerState; forSeconds: number }>;
  dlq: { topicRecords: number | null; deadLetteredByThisInstance: number };
  configurationFault: { message: string; forSeconds: number } | null;
  consumer: { recordsByTopic: Record<string, number>; rebalances: number; lastBatchAt: string | null };
  startedAt: string;
}

interface OpsMonitorDeps {
  metrics: Metrics;
  lag: LagMonitor;
  connector: ConnectorMonitor;
  workSet: WorkSetMonitor;
  now?: () => number;
}

/**
 * The worker's operations state: its three monitors plus what the consumer and the reconcile
 * slots report through the hooks below. It answers `/ready`, fills `/metrics` and builds the
 * status document. Hooks never throw: a metrics problem must not break the loop.
 */
export interface OpsMonitor {
  start(): void;
  stop(): Promise<void>;
  /** Polls every monitor now (the CLI's one-shot status uses this). */
  refresh(): Promise<void>;

  /** Consumer: a Debezium heartbeat (or change) with this `ts_ms` was consumed. */
  reportHeartbeat(tsMs: number): void;
  /** Consumer: one batch went through markBatch. */
  reportBatch(topic: string, result: MarkBatchResult): void;
  /** Consumer: the group rebalanced (kafkajs GROUP_JOIN after the first). */
  reportRebalance(): void;
  /** Reconcile slot: one reconcile ended with this outcome (`applied`, `noop`, `held`, `parked`, `failed`, `rescheduled`, `lease_lost`). */
  reportReconcile(event: { outcome: string; durationMs?: number; sourceTsMs?: number | null }): void;
  /** IoT client: one HTTP call ended; status is the HTTP status or `error` when there was no response. */
  reportApiCall(event: { endpoint: string; status: number | 'error'; durationMs: number }): void;
  /** IoT client: a breaker changed state (or exists, at start: every breaker is exported from the start). */
  reportBreaker(name: string, state: BreakerState): void;
  /** IoT client: a request waited this long for its rate-limiter slot. */
  reportLimiterWait(waitMs: number): void;
  /** IoT client: where the limiter's in-flight and waiting counts are read at each scrape. */
  watchLimiter(stats: () => { active: number; waiting: number }): void;
  /** Reconcile core: the platform rejected credentials or permissions (401 after refresh, 403); null when cleared. */
  reportConfigurationFault(message: string | null): void;
  /** Daily resync: how many orphan subscriptions it found. */
  reportOrphans(count: number): void;

  readinessSnapshot(): ReadinessSnapshot;
  readiness(): Readiness;
  /** Updates derived gauges (heartbeat age); called before each scrape. */
  beforeScrape(): void;
  status(): Promise<StatusDocument>;
}

export interface OpsMonitorOptions {
  readiness?: Partial<ReadinessOptions>;
}

export function createOpsMonitor(deps: OpsMonitorDeps, options: OpsMonitorOptions = {}): OpsMonitor {
  const { metrics: m } = deps;
  const now = deps.now ?? Date.now;
  const readinessOptions: ReadinessOptions = { ...DEFAULT_READINESS_OPTIONS, ...options.readiness };
  const startedAt = now();
  let heartbeatAt: number | null = null;
  let lastBatchAt: number | null = null;
  const breakers = new Map<string, { state: BreakerState; since: number }>();
  let configurationFault: { message: string; since: number } | null = null;
  let limiterStats: (() => { active: number; waiting: number }) | null = null;

  const safe = (fn: () => void): void => {
    try {
      fn();
    } catch {
      // A metrics failure must never reach the consumer or a reconcile slot.
    }
  };

  const heartbeatAgeSeconds = (): number | null => (heartbeatAt === null ? null : Math.max(0, (now() - heartbeatAt) / 1000));

  const readinessSnapshot = (): ReadinessSnapshot => {
    const lag = deps.lag.snapshot();
    const ws = deps.workSet.snapshot();
    const c = deps.connector.snapshot();
    return {
      now: now(),
      database: ws.ok ? { ok: true } : { ok: false, error: ws.error ?? undefined },
      kafka: lag.ok ? { ok: true } : { ok: false, error: lag.error ?? undefined },
      connector: {
        state: c.state,
        taskStates: c.tasks.map((t) => t.state),
        heartbeatAt,
      },
      partitions: lag.partitions.map((p) => ({ topic: p.topic, partition: p.partition, lag: p.lag, lastProgressAt: p.lastProgressAt })),
      openBreakers: [...breakers.entries()].filter(([, b]) => b.state === 'open').map(([name, b]) => ({ name, since: b.since })),
      configurationFault,
    };
  };

  const counterValues = async (counter: { get(): Promise<{ values: Array<{ labels: object; value: number }> }> }) =>
    (await counter.get()).values.map((v) => ({ labels: v.labels as Record<string, string | number | undefined>, value: v.value }));

  return {
    start() {
      deps.lag.start();
      deps.connector.start();
      deps.workSet.start();
    },
    async stop() {
      await Promise.allSettled([deps.lag.stop(), deps.connector.stop(), deps.workSet.stop()]);
    },
    async refresh() {
      await Promise.all([deps.lag.poll(), deps.connector.poll(), deps.workSet.poll()]);
    },

    reportHeartbeat: (tsMs) =>
      safe(() => {
        if (Number.isFinite(tsMs)) heartbeatAt = Math.max(heartbeatAt ?? 0, tsMs);
        m.connectorHeartbeatAgeSeconds.set(heartbeatAgeSeconds() ?? 0);
      }),
    reportBatch: (topic, result) =>
      safe(() => {
        lastBatchAt = now();
        m.recordsConsumed.inc({ topic }, result.records);
        m.contractsMarked.inc(result.marked);
        m.contractsWithoutIot.inc(result.withoutIot);
        m.dlqRecords.inc(result.deadLettered);
        for (const [reason, n] of Object.entries(result.skipped)) if (n) m.recordsSkipped.inc({ reason }, n);
        if (result.heartbeatTsMs !== null) heartbeatAt = Math.max(heartbeatAt ?? 0, result.heartbeatTsMs);
        // A change from the connector proves it streams as much as a heartbeat does.
        if (result.oldestSourceTsMs !== null) heartbeatAt = Math.max(heartbeatAt ?? 0, result.oldestSourceTsMs);
      }),
    reportRebalance: () => safe(() => m.rebalances.inc()),
    reportReconcile: (event) =>
      safe(() => {
        m.reconciles.inc({ outcome: event.outcome });
        if (event.durationMs !== undefined) m.reconcileDurationSeconds.observe({ outcome: event.outcome }, event.durationMs / 1000);
        if (event.sourceTsMs) m.endToEndLatencySeconds.observe(Math.max(0, (now() - event.sourceTsMs) / 1000));
      }),
    reportApiCall: (event) =>
      safe(() => {
        m.apiRequests.inc({ endpoint: event.endpoint, status: String(event.status) });
        m.apiRequestDurationSeconds.observe({ endpoint: event.endpoint }, event.durationMs / 1000);
      }),
    reportBreaker: (name, state) =>
      safe(() => {
        const prev = breakers.get(name);
        if (!prev || prev.state !== state) breakers.set(name, { state, since: now() });
        m.breakerState.set({ breaker: name }, BREAKER_STATE_VALUE[state]);
      }),
    reportLimiterWait: (waitMs) => safe(() => m.limiterWaitSeconds.observe(Math.max(0, waitMs) / 1000)),
    watchLimiter: (stats) => {
      limiterStats = stats;
    },
    reportConfigurationFault: (message) =>
      safe(() => {
        if (message === null) configurationFault = null;
        else configurationFault = { message: maskText(message).slice(0, 500), since: configurationFault?.since ?? now() };
        m.configurationFault.set(message === null ? 0 : 1);
      }),
    reportOrphans: (count) => safe(() => m.orphanSubscriptions.set(count)),

    readinessSnapshot,
    readiness: () => evaluateReadiness(readinessSnapshot(), readinessOptions),
    beforeScrape: () =>
      safe(() => {
        m.connectorHeartbeatAgeSeconds.set(heartbeatAgeSeconds() ?? 0);
        m.ready.set(evaluateReadiness(readinessSnapshot(), readinessOptions).ready ? 1 : 0);
        if (limiterStats) {
          const { active, waiting } = limiterStats();
          m.limiterInFlight.set(active);
          m.limiterWaiting.set(waiting);
        }
      }),

    async status() {
      const t = now();
      const lag = deps.lag.snapshot();
      const reconciles: Record<string, number> = {};
      for (const v of await counterValues(m.reconciles)) reconciles[String(v.labels.outcome)] = v.value;
      const api = (await counterValues(m.apiRequests)).map((v) => ({ endpoint: String(v.labels.endpoint), status: String(v.labels.status), count: v.value }));
      const recordsByTopic: Record<string, number> = {};
      for (const v of await counterValues(m.recordsConsumed)) recordsByTopic[String(v.labels.topic)] = v.value;
      const rebalances = (await m.rebalances.get()).values[0]?.value ?? 0;
      const deadLettered = (await m.dlqRecords.get()).values[0]?.value ?? 0;
      return {
        generatedAt: new Date(t).toISOString(),
        readiness: evaluateReadiness(readinessSnapshot(), readinessOptions),
        connector: { ...deps.connector.snapshot(), heartbeatAgeSeconds: heartbeatAgeSeconds() },
        lag: {
          ...lag,
          totalLag: lag.partitions.reduce((sum, p) => sum + p.lag, 0),
          maxLagSeconds: lag.partitions.reduce((max, p) => Math.max(max, p.lagSeconds ?? 0), 0),
        },
        workSet: deps.workSet.snapshot(),
        reconciles,
        api,
        breakers: [...breakers.entries()].map(([name, b]) => ({ name, state: b.state, forSeconds: Math.round((t - b.since) / 1000) })),
        dlq: { topicRecords: lag.dlqRecords, deadLetteredByThisInstance: deadLettered },
        configurationFault: configurationFault
          ? { message: configurationFault.message, forSeconds: Math.round((t - configurationFault.since) / 1000) }
          : null,
        consumer: { recordsByTopic, rebalances, lastBatchAt: lastBatchAt === null ? null : new Date(lastBatchAt).toISOString() },
        startedAt: new Date(startedAt).toISOString(),
      };
    },
  };
}
