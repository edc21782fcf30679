import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jmxExporterJar } from './install-stack-jars';
import { jvmArgs } from './jvm-options';
import { waitUntil } from './kafka-broker';
import { runningPid, startManagedProcess, type ManagedProcessSpec } from './managed-process';
import { REPO_ROOT, type StackLayout } from './stack-layout';

/** The exporter's rules, shared with compose's Connect image. */
const JMX_EXPORTER_RULES = path.join(REPO_ROOT, 'docker', 'connect', 'jmx-exporter.yml');

interface KafkaConnectOptions {
  port: number;
  /** Where the JMX exporter agent serves Debezium's and Connect's metrics (loopback). */
  metricsPort: number;
  kafkaPort: number;
  readyTimeoutMs: number;
  /** Client settings for a SASL_SSL broker (`stack up --secure`), applied to Connect's own, producer, consumer and admin clients. */
  kafkaClientSettings?: readonly string[];
}

const CONNECT_GROUP_ID = 'ixc-iot-sync-connect';
const MARIADB_CONNECTOR_CLASS = 'io.debezium.connector.mariadb.MariaDbConnector';

/** Kafka Connect in distributed mode: connector configs and offsets live in Kafka and survive restarts. */
export function connectProcessSpec(layout: StackLayout, metricsPort: number): ManagedProcessSpec {
  // The Prometheus JMX exporter as a java agent: Debezium's streaming and snapshot MBeans
  // (MilliSecondsBehindSource, queue capacity, binlog position ...) over HTTP on loopback.
  const agent = `-javaagent:${jmxExporterJar(layout)}=127.0.0.1:${metricsPort}:${layout.jmxExporterConfig}`;
  return {
    command: 'java',
    args: [agent, ...jvmArgs(layout, { minMb: 128, maxMb: 768 }), 'org.apache.kafka.connect.cli.ConnectDistributed', layout.connectProperties],
    pidFile: layout.pidFile('connect'),
    logFile: layout.logFile('connect'),
    marker: layout.connectProperties,
  };
}

export function renderConnectProperties(layout: StackLayout, options: Omit<KafkaConnectOptions, 'metricsPort'>): string {
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
    ...connectConfigProviders(layout),
    ...prefixedClientSettings(options.kafkaClientSettings ?? []),
    '',
  ].join('\n');
}

/**
 * Config providers resolve `${file:…}` and `${env:…}` references in connector configs when the task
 * starts, so the connector's password is never stored in the config topic. Each is fenced: files
 * only under the stack's config directory, environment variables only DEBEZIUM_DB_PASSWORD.
 */
function connectConfigProviders(layout: StackLayout): string[] {
  return [
    '# Connector secrets are references resolved here, never values in the config topic.',
    'config.providers=file,env',
    'config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider',
    `config.providers.file.param.allowed.paths=${layout.configDir}`,
    'config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider',
    'config.providers.env.param.allowlist.pattern=^DEBEZIUM_DB_PASSWORD$',
  ];
}

/** Connect's producers, consumers and admin clients do not inherit the worker's client settings: each needs its prefix. */
function prefixedClientSettings(settings: readonly string[]): string[] {
  if (settings.length === 0) return [];
  return ['# SASL_SSL to the broker, for the worker and for the clients it creates.', ...['', 'producer.', 'consumer.', 'admin.'].flatMap((prefix) => settings.map((s) => `${prefix}${s}`))];
}

/** Starts Connect unless it runs, and waits for its REST API and the Debezium plugin. */
export async function startConnect(layout: StackLayout, options: KafkaConnectOptions): Promise<'started' | 'running'> {
  const spec = connectProcessSpec(layout, options.metricsPort);
  if (runningPid(spec.pidFile, spec.marker) !== null) return 'running';
  mkdirSync(layout.connectData, { recursive: true });
  copyFileSync(JMX_EXPORTER_RULES, layout.jmxExporterConfig);
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
async function connectReady(baseUrl: string): Promise<boolean> {
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
