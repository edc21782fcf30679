import { mkdirSync, writeFileSync } from 'node:fs';
import { jvmArgs } from './jvm-options';
import { waitUntil } from './kafka-broker';
import { runningPid, startManagedProcess, type ManagedProcessSpec } from './managed-process';
import type { StackLayout } from './stack-layout';

export interface KafkaConnectOptions {
  port: number;
  kafkaPort: number;
  readyTimeoutMs: number;
}

export const CONNECT_GROUP_ID = 'ixc-iot-sync-connect';
const MARIADB_CONNECTOR_CLASS = 'io.debezium.connector.mariadb.MariaDbConnector';

/** Kafka Connect in distributed mode: connector configs and offsets live in Kafka and survive restarts. */
export function connectProcessSpec(layout: StackLayout): ManagedProcessSpec {
  return {
    command: 'java',
    args: [...jvmArgs(layout, { minMb: 128, maxMb: 768 }), 'org.apache.kafka.connect.cli.ConnectDistributed', layout.connectProperties],
    pidFile: layout.pidFile('connect'),
    logFile: layout.logFile('connect'),
    marker: layout.connectProperties,
  };
}

export function renderConnectProperties(layout: StackLayout, options: KafkaConnectOptions): string {
  return [
    '# Rendered by `ixc-iot-sync stack up`; edits are overwritten.',
    `bootstrap.servers=127.0.0.1:${options.kafkaPort}`,
    `group.id=${CONNECT_GROUP_ID}`,
    `listeners=http://127.0.0.1:${options.port}`,
    'rest.advertised.host.name=127.0.0.1',
    `rest.advertised.port=${options.port}`,
    `plugin.path=${layout.plugins}`,
    '# Every plugin (Kafka 4.1 and Debezium 3.5) ships ServiceLoader manifests: skips a ~2 s reflection scan.',
    'plugin.discovery=service_load',
    'key.converter=org.apache.kafka.connect.json.JsonConverter',
    'value.converter=org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable=false',
    'value.converter.schemas.enable=false',
    '# Storage topics, created by Connect itself; one node, so replication factor 1.',
    'config.storage.topic=_connect-configs',
    'offset.storage.topic=_connect-offsets',
    'status.storage.topic=_connect-status',
    'config.storage.replication.factor=1',
    'offset.storage.replication.factor=1',
    'status.storage.replication.factor=1',
    'offset.storage.partitions=1',
    'status.storage.partitions=1',
    'offset.flush.interval.ms=1000',
    '# Source connectors create their topics from topic.creation.default.* (broker auto-creation is off).',
    'topic.creation.enable=true',
    'scheduled.rebalance.max.delay.ms=0',
    '',
  ].join('\n');
}

/** Starts Connect unless it runs, and waits for its REST API and the Debezium plugin. */
export async function startConnect(layout: StackLayout, options: KafkaConnectOptions): Promise<'started' | 'running'> {
  const spec = connectProcessSpec(layout);
  if (runningPid(spec.pidFile, spec.marker) !== null) return 'running';
  mkdirSync(layout.connectData, { recursive: true });
  writeFileSync(layout.connectProperties, renderConnectProperties(layout, options));
  startManagedProcess(spec);
  await waitUntil(() => connectReady(`http://127.0.0.1:${options.port}`), {
    timeoutMs: options.readyTimeoutMs,
    isAlive: () => runningPid(spec.pidFile, spec.marker) !== null,
    what: 'Kafka Connect',
    log: spec.logFile,
    intervalMs: 500,
  });
  return 'started';
}

/** True when the worker has joined its group (GET /health 200) and lists the MariaDB connector plugin. */
export async function connectReady(baseUrl: string): Promise<boolean> {
  try {
    const health = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
    if (!health.ok) return false;
    const plugins = await fetch(`${baseUrl}/connector-plugins`, { signal: AbortSignal.timeout(2000) });
    if (!plugins.ok) return false;
    const list = (await plugins.json()) as Array<{ class?: string }>;
    return list.some((p) => p.class === MARIADB_CONNECTOR_CLASS);
  } catch {
    return false;
  }
}
