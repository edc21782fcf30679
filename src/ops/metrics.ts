import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const P = 'ixc_iot_sync_';

/** Breaker states as gauge values. */
export const BREAKER_STATE_VALUE = { closed: 0, halfOpen: 1, open: 2 } as const;

/**
 * Every metric the worker exposes on `/metrics`. Names are what docker/'s Grafana dashboard and
 * Prometheus alert rules use (a test checks that each name they use exists here).
 */
export interface Metrics {
  registry: Registry;
  consumerLagOffsets: Gauge<'topic' | 'partition'>;
  /** Seconds since the oldest unprocessed record was written, measured against now. */
  consumerLagSeconds: Gauge<'topic' | 'partition'>;
  recordsConsumed: Counter<'topic'>;
  recordsSkipped: Counter<'reason'>;
  contractsMarked: Counter;
  contractsWithoutIot: Counter;
  dlqRecords: Counter;
  /** Records on the dead-letter topic now (all instances, since retention). */
  dlqTopicRecords: Gauge;
  rebalances: Counter;
  workBacklog: Gauge;
  workBacklogOldestAgeSeconds: Gauge;
  /** Contracts under a live lease (being reconciled by some instance). */
  workLeased: Gauge;
  parkedContracts: Gauge<'reason'>;
  /** IXC changes held by the blast-radius guard, waiting for `reconcile --confirm <id>`. */
  heldChanges: Gauge;
  /** Revocations and cancellations those held changes would make. */
  heldChangeDestructive: Gauge;
  /** Platform subscriptions of this tenant with no live contract, as the daily resync last found them. */
  orphanSubscriptions: Gauge;
  reconciles: Counter<'outcome'>;
  reconcileDurationSeconds: Histogram<'outcome'>;
  endToEndLatencySeconds: Histogram;
  apiRequests: Counter<'endpoint' | 'status'>;
  apiRequestDurationSeconds: Histogram<'endpoint'>;
  breakerState: Gauge<'breaker'>;
  /** The client-side rate limiter: requests holding a slot (at most IOT_MAX_CONCURRENCY). */
  limiterInFlight: Gauge;
  /** Requests waiting for a limiter slot. */
  limiterWaiting: Gauge;
  /** How long requests waited for their limiter slot (concurrency cap and IOT_MAX_RPS spacing). */
  limiterWaitSeconds: Histogram;
  configurationFault: Gauge;
  /** 1 when /ready would answer 200 (updated at each scrape). */
  ready: Gauge;
  connectorRunning: Gauge;
  connectorTasksRunning: Gauge;
  connectorHeartbeatAgeSeconds: Gauge;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: P });
  const registers = [registry];
  return {
    registry,
    consumerLagOffsets: new Gauge({ name: `${P}consumer_lag_offsets`, help: 'Records not yet consumed, per partition (high watermark minus committed offset)', labelNames: ['topic', 'partition'], registers }),
    consumerLagSeconds: new Gauge({ name: `${P}consumer_lag_seconds`, help: 'Age of the oldest unconsumed record per partition, measured against now (0 when caught up)', labelNames: ['topic', 'partition'], registers }),
    recordsConsumed: new Counter({ name: `${P}records_consumed_total`, help: 'Kafka records consumed', labelNames: ['topic'], registers }),
    recordsSkipped: new Counter({ name: `${P}records_skipped_total`, help: 'Decodable records that marked nothing, by reason', labelNames: ['reason'], registers }),
    contractsMarked: new Counter({ name: `${P}contracts_marked_total`, help: 'Contract marks written to the work set', registers }),
    contractsWithoutIot: new Counter({ name: `${P}contracts_without_iot_total`, help: 'Contracts a change affected but left unmarked: no IoT line now or before', registers }),
    dlqRecords: new Counter({ name: `${P}dlq_records_total`, help: 'Undecodable records sent to the dead-letter topic', registers }),
    dlqTopicRecords: new Gauge({ name: `${P}dlq_topic_records`, help: 'Records on the dead-letter topic (high minus low watermark)', registers }),
    rebalances: new Counter({ name: `${P}consumer_rebalances_total`, help: 'Consumer group rebalances seen by this instance', registers }),
    workBacklog: new Gauge({ name: `${P}work_backlog`, help: 'Contracts marked dirty and not parked', registers }),
    workBacklogOldestAgeSeconds: new Gauge({ name: `${P}work_backlog_oldest_age_seconds`, help: 'Age of the oldest pending mark', registers }),
    workLeased: new Gauge({ name: `${P}work_leased`, help: 'Contracts under a live lease (being reconciled)', registers }),
    parkedContracts: new Gauge({ name: `${P}parked_contracts`, help: 'Parked contracts by reason', labelNames: ['reason'], registers }),
    heldChanges: new Gauge({ name: `${P}held_changes`, help: 'IXC changes held by the blast-radius guard until an operator confirms them', registers }),
    heldChangeDestructive: new Gauge({ name: `${P}held_change_revocations`, help: 'Revocations and cancellations the held changes would make', registers }),
    orphanSubscriptions: new Gauge({ name: `${P}orphan_subscriptions`, help: 'Platform subscriptions with this tenant\'s references and no live contract in IXC (daily resync)', registers }),
    reconciles: new Counter({ name: `${P}reconciles_total`, help: 'Reconciles by outcome', labelNames: ['outcome'], registers }),
    reconcileDurationSeconds: new Histogram({ name: `${P}reconcile_duration_seconds`, help: 'Reconcile duration', labelNames: ['outcome'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers }),
    endToEndLatencySeconds: new Histogram({ name: `${P}end_to_end_latency_seconds`, help: 'From the change in IXC (source.ts_ms) to its write-back', buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300], registers }),
    apiRequests: new Counter({ name: `${P}api_requests_total`, help: 'IoT API requests by endpoint and status (status "error" when no response)', labelNames: ['endpoint', 'status'], registers }),
    apiRequestDurationSeconds: new Histogram({ name: `${P}api_request_duration_seconds`, help: 'IoT API request latency', labelNames: ['endpoint'], buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20], registers }),
    breakerState: new Gauge({ name: `${P}breaker_state`, help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open', labelNames: ['breaker'], registers }),
    limiterInFlight: new Gauge({ name: `${P}api_limiter_in_flight`, help: 'IoT API requests holding a client-side rate-limiter slot (at most IOT_MAX_CONCURRENCY)', registers }),
    limiterWaiting: new Gauge({ name: `${P}api_limiter_waiting`, help: 'IoT API requests waiting for a rate-limiter slot', registers }),
    limiterWaitSeconds: new Histogram({ name: `${P}api_limiter_wait_seconds`, help: 'Time an IoT API request waited for its rate-limiter slot (IOT_MAX_CONCURRENCY and IOT_MAX_RPS)', buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers }),
    configurationFault: new Gauge({ name: `${P}configuration_fault`, help: '1 while credentials or permissions are rejected by the platform', registers }),
    ready: new Gauge({ name: `${P}ready`, help: '1 when the worker is ready (what /ready answers), 0 with reasons on /ready', registers }),
    connectorRunning: new Gauge({ name: `${P}connector_running`, help: '1 when the Debezium connector is RUNNING', registers }),
    connectorTasksRunning: new Gauge({ name: `${P}connector_tasks_running`, help: 'Connector tasks in state RUNNING', registers }),
    connectorHeartbeatAgeSeconds: new Gauge({ name: `${P}connector_heartbeat_age_seconds`, help: 'Seconds since the last Debezium heartbeat or change was consumed', registers }),
  };
}
