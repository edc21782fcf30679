import type { Kafka } from 'kafkajs';
import type { AppConfig } from '../config/app-config';
import { changeTopics, heartbeatTopic } from '../consumers/change-topics';
import type { Query } from '../consumers/mark-batch';
import type { Logger } from '../lib/logger';
import { createConnectorMonitor, type ConnectorMonitor } from './connector-monitor';
import { createLagMonitor, type LagMonitor } from './lag-monitor';
import { createMetrics, type Metrics } from './metrics';
import { createOpsMonitor, type OpsMonitor } from './ops-monitor';
import { createOpsServer, type OpsServer } from './ops-server';
import { createWorkSetMonitor, type WorkSetMonitor } from './work-set-monitor';

export interface Ops {
  metrics: Metrics;
  lag: LagMonitor;
  connector: ConnectorMonitor;
  workSet: WorkSetMonitor;
  /** Hooks for the consumer and the reconcile slots, readiness and the status document. */
  monitor: OpsMonitor;
  /** Bound by `start()`; not started by this factory. */
  server: OpsServer;
}

interface CreateOpsDeps {
  config: Readonly<AppConfig>;
  kafka: Kafka;
  /** Read-only queries on the project's database. */
  query: Query;
  logger?: Logger;
  /** A shared registry, e.g. one the IoT client already records into. @defaultValue a new one */
  metrics?: Metrics;
}

interface CreateOpsOptions {
  /** Topics of the live group. @defaultValue the captured tables' topics and the heartbeat topic */
  topics?: string[];
  /** @defaultValue config.ops.lagPollIntervalMs */
  lagPollIntervalMs?: number;
  /** @defaultValue config.ops.pollIntervalMs */
  connectorPollIntervalMs?: number;
  /** @defaultValue config.ops.pollIntervalMs */
  workSetPollIntervalMs?: number;
  /** Override of the ops port (tests use 0). @defaultValue config.ops.port */
  port?: number;
}

/** Live-group topics by default: the captured tables and Debezium's heartbeat topic. */
export function liveTopics(config: Readonly<AppConfig>): string[] {
  return [
    ...changeTopics(config.kafka.topicPrefix, config.db.ixcDatabase),
    heartbeatTopic(config.kafka.heartbeatTopicPrefix, config.kafka.topicPrefix),
  ];
}

/**
 * Everything the ops surface needs, wired from the configuration: the three monitors, the
 * operations state with its hooks, and the HTTP server. `start` calls `monitor.start()` and
 * `server.start()`, and on shutdown `server.stop()` then `monitor.stop()`.
 */
export function createOps(deps: CreateOpsDeps, options: CreateOpsOptions = {}): Ops {
  const { config, logger } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const lag = createLagMonitor(
    { kafka: deps.kafka, metrics, logger },
    {
      groupId: config.kafka.groupId,
      topics: options.topics ?? liveTopics(config),
      dlqTopic: config.kafka.dlqTopic,
      pollIntervalMs: options.lagPollIntervalMs ?? config.ops.lagPollIntervalMs,
    },
  );
  const connector = createConnectorMonitor(
    { metrics, logger },
    {
      url: config.connect.url,
      connectorName: config.connect.connectorName,
      sourceMetrics: { url: config.connect.metricsUrl, server: config.kafka.topicPrefix },
      pollIntervalMs: options.connectorPollIntervalMs ?? config.ops.pollIntervalMs,
    },
  );
  const workSet = createWorkSetMonitor(
    { query: deps.query, metrics, logger },
    {
      syncSchema: config.db.syncSchema,
      pollIntervalMs: options.workSetPollIntervalMs ?? config.ops.pollIntervalMs,
    },
  );
  const monitor = createOpsMonitor({ metrics, lag, connector, workSet }, { readiness: { stallAfterMs: config.ops.stallAfterMs } });
  const server = createOpsServer(
    { monitor, metrics, logger },
    { host: config.ops.host, port: options.port ?? config.ops.port, allowedHosts: config.ops.allowedHosts, ...(config.ops.token ? { token: config.ops.token } : {}) },
  );
  return { metrics, lag, connector, workSet, monitor, server };
}
