import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config/app-config';
import { changeTopics } from '../consumers/change-topics';
import { createConnectClient, type ConnectorStatus } from './connect-client';
import { renderConnectorConfig, schemaHistoryTopic, type ConnectorConfig } from './connector-template';
import { StackPortInUseError } from './errors';
import { installStackJars } from './install-stack-jars';
import { renderLog4jProperties } from './jvm-options';
import { kafkaProcessSpec, startKafka } from './kafka-broker';
import { connectProcessSpec, renderConnectProperties, startConnect } from './kafka-connect';
import { runningPid, stopManagedProcess, type ManagedProcessSpec } from './managed-process';
import { mariadbProcessSpec, prepareMariadb, rootConnection, shutdownMariadb, startMariadb } from './mariadb-instance';
import { isPortFree, isPortOpen } from './port-check';
import { assertJava, assertMariadb } from './prerequisites';
import { registerConnector } from './register-connector';
import {
  assertStackMode,
  prepareSecureMaterial,
  propertiesLine,
  scramFormatArgs,
  secureAdminKafkaSecurity,
  secureConnectClientSettings,
  secureConnectorSecrets,
  secureConnectorSettings,
  secureListenerLines,
  secureMariadbLines,
  SECURE_WORKER_DB_USER,
  writePrivate,
  type SecureMaterial,
} from './secure-stack';
import { STACK_VERSIONS } from './stack-versions';
import { createStackLayout, type StackLayout, type StackService } from './stack-layout';
import { withStackLock } from './stack-lock';

type StackConfigInput = Pick<AppConfig, 'stack' | 'kafka' | 'connect' | 'db'>;

export interface LocalStackOptions {
  /** Progress and endpoint lines. @defaultValue no output */
  report?: (line: string) => void;
  /** Per service start timeout. @defaultValue 180000 */
  startTimeoutMs?: number;
  /** TERM grace before KILL. @defaultValue 30000 */
  stopGraceMs?: number;
  /** Environment of the prerequisite checks and of Maven (PATH, MAVEN_OPTS). @defaultValue the process environment */
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_LOCAL_STACK_OPTIONS = {
  report: () => undefined,
  startTimeoutMs: 180_000,
  stopGraceMs: 30_000,
} satisfies Omit<Required<LocalStackOptions>, 'env'>;

/** Start order; stop runs in reverse. */
export const STACK_SERVICES: readonly StackService[] = ['mariadb', 'kafka', 'connect'];
export const DEBEZIUM_USER = 'debezium';

interface StackEndpoints {
  /** TLS and SASL on Kafka, TLS on MariaDB (`stack up --secure`). */
  secure: boolean;
  mariadb: string;
  kafka: string;
  connect: string;
  /** Debezium's and Connect's metrics (the JMX exporter agent). */
  connectMetrics: string;
  connector: string;
  topics: string[];
}

export interface StackUpResult {
  /** Services this call started (empty when everything already ran). */
  started: StackService[];
  jarsDownloaded: boolean;
  fixtureLoaded: boolean;
  connectorCreated: boolean;
  /** The stored connector config differed from the rendered one and was replaced. */
  connectorUpdated: boolean;
  /** Milliseconds per step, for the report and CI logs. */
  timings: Record<string, number>;
  endpoints: StackEndpoints;
}

interface ServiceStatus {
  service: StackService;
  pid: number | null;
  port: number;
  listening: boolean;
}

export interface StackStatus {
  home: string;
  services: ServiceStatus[];
  connector: ConnectorStatus | null;
  /** Every service runs and connector and tasks are RUNNING. */
  healthy: boolean;
}

export interface LocalStack {
  readonly layout: StackLayout;
  readonly endpoints: StackEndpoints;
  up(): Promise<StackUpResult>;
  down(): Promise<Record<StackService, string>>;
  /** Stops one service (tests use it to restart Connect); `up` starts it again. */
  stop(service: StackService): Promise<string>;
  status(): Promise<StackStatus>;
  /** Stops everything and wipes the data of MariaDB, KRaft and Connect together (jars stay). */
  reset(): Promise<void>;
}

/**
 * The local CDC stack without Docker: a MariaDB instance with a row binlog, a single-node KRaft
 * broker and Kafka Connect (distributed) with the Debezium MariaDB connector, each a plain
 * process tracked by a PID file under `config.stack.home`. `up` is idempotent: it starts what is
 * not running and PUTs the connector config when it changed.
 */
export function createLocalStack(config: StackConfigInput, options: LocalStackOptions = {}): LocalStack {
  const opts = { ...DEFAULT_LOCAL_STACK_OPTIONS, ...options };
  const layout = createStackLayout(config.stack.home);
  const { dbPort, kafkaPort, controllerPort, connectPort, connectMetricsPort } = config.stack;
  const connectUrl = `http://127.0.0.1:${connectPort}`;
  const kafkaBootstrap = `127.0.0.1:${kafkaPort}`;
  const database = config.db.ixcDatabase;
  const dataTopics = changeTopics(config.kafka.topicPrefix, database);
  const secure = config.stack.secure;
  const endpoints: StackEndpoints = {
    secure,
    mariadb: `mysql://root@127.0.0.1:${dbPort}/${database}`,
    kafka: kafkaBootstrap,
    connect: connectUrl,
    connectMetrics: `http://127.0.0.1:${connectMetricsPort}/metrics`,
    connector: `${connectUrl}/connectors/${config.connect.connectorName}/status`,
    topics: dataTopics,
  };
  const specs: Record<StackService, ManagedProcessSpec> = {
    mariadb: mariadbProcessSpec(layout),
    kafka: kafkaProcessSpec(layout),
    connect: connectProcessSpec(layout, connectMetricsPort),
  };
  const ports: Record<StackService, { port: number; setting: string }> = {
    mariadb: { port: dbPort, setting: 'CDC_DB_PORT' },
    kafka: { port: kafkaPort, setting: 'CDC_KAFKA_PORT' },
    connect: { port: connectPort, setting: 'CDC_CONNECT_PORT' },
  };
  const lockFile = path.join(layout.home, 'stack.lock');
  const isRunning = (service: StackService): boolean => runningPid(specs[service].pidFile, specs[service].marker) !== null;

  async function assertPortsFree(): Promise<void> {
    const wanted = STACK_SERVICES.filter((s) => !isRunning(s)).map((s) => ({ service: s, ...ports[s] }));
    if (!isRunning('kafka')) wanted.push({ service: 'kafka', port: controllerPort, setting: 'CDC_CONTROLLER_PORT' });
    if (!isRunning('connect')) wanted.push({ service: 'connect', port: connectMetricsPort, setting: 'CDC_CONNECT_METRICS_PORT' });
    for (const { service, port, setting } of wanted) {
      if (!(await isPortFree(port))) throw new StackPortInUseError(port, service, setting);
    }
  }

  function debeziumPassword(): string {
    if (config.stack.debeziumPassword !== undefined) return config.stack.debeziumPassword;
    if (!existsSync(layout.debeziumSecret)) {
      writeFileSync(layout.debeziumSecret, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
    }
    return readFileSync(layout.debeziumSecret, 'utf8').trim();
  }

  /**
   * The connector's password (and, secured, its truststore password and SASL login) go to a 0600
   * properties file that Connect's FileConfigProvider reads; the connector config holds references.
   */
  function connectorConfig(password: string, material: SecureMaterial | undefined): ConnectorConfig {
    writePrivate(
      layout.connectorSecrets,
      [
        '# Read by Kafka Connect\'s FileConfigProvider: the connector config refers to ${file:<this file>:<key>}.',
        propertiesLine('database.password', password),
        ...(material ? secureConnectorSecrets(material) : []),
        '',
      ].join('\n'),
    );
    const rendered = renderConnectorConfig({
      DB_HOST: '127.0.0.1',
      DB_PORT: String(dbPort),
      DB_USER: DEBEZIUM_USER,
      DB_PASSWORD_REF: `\${file:${layout.connectorSecrets}:database.password}`,
      DB_NAME: database,
      TOPIC_PREFIX: config.kafka.topicPrefix,
      KAFKA_BOOTSTRAP: kafkaBootstrap,
      SCHEMA_HISTORY_TOPIC: schemaHistoryTopic(config.kafka.topicPrefix),
      HEARTBEAT_TOPIC_PREFIX: config.kafka.heartbeatTopicPrefix,
      TOPIC_REPLICATION_FACTOR: '1',
    });
    return material ? { ...rendered, ...secureConnectorSettings(material) } : rendered;
  }

  async function stopService(service: StackService): Promise<string> {
    if (service === 'mariadb' && isRunning('mariadb')) await shutdownMariadb(dbPort);
    return stopManagedProcess(specs[service].pidFile, specs[service].marker, opts.stopGraceMs);
  }

  async function up(): Promise<StackUpResult> {
    for (const dir of [layout.home, layout.configDir, layout.dataDir, layout.logsDir, layout.runDir]) mkdirSync(dir, { recursive: true });
    return withStackLock(lockFile, opts.startTimeoutMs, async () => {
      const timings: Record<string, number> = {};
      const time = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
        const t0 = Date.now();
        try {
          return await fn();
        } finally {
          timings[step] = Date.now() - t0;
        }
      };
      const started: StackService[] = [];
      assertJava(opts.env);
      assertMariadb(opts.env);
      await assertPortsFree();
      const jars = await time('jars', () => installStackJars(layout, opts.report, STACK_VERSIONS, opts.env));
      if (jars.downloaded) {
        // JVMs still running on the previous jars would keep serving the old versions.
        for (const service of ['connect', 'kafka'] as const) {
          if (isRunning(service)) opts.report(`Restarting ${service} on the new jars: ${await stopService(service)}`);
        }
      }
      writeFileSync(layout.log4jProperties, renderLog4jProperties());
      assertStackMode(layout, secure);
      const material = secure ? await time('tls', async () => prepareSecureMaterial(layout, { dbPort, kafkaPort })) : undefined;
      const security = material ? secureAdminKafkaSecurity(material) : {};

      const password = debeziumPassword();
      const dbOptions = {
        port: dbPort, database, debeziumUser: DEBEZIUM_USER, debeziumPassword: password, readyTimeoutMs: opts.startTimeoutMs,
        ...(material ? { tlsLines: secureMariadbLines(material) } : {}),
      };
      if ((await time('mariadb', () => startMariadb(layout, dbOptions))) === 'started') started.push('mariadb');
      const { fixtureLoaded } = await time('mariadbPrepare', () => prepareMariadb(dbOptions));
      if (material) await createSecureWorkerUser(dbPort, database, config.db.syncSchema, material);
      if (started.includes('mariadb')) opts.report(`MariaDB      ${endpoints.mariadb} (row binlog${material ? '; TLS required for the worker and Debezium users' : ''})`);

      const brokerOptions = {
        port: kafkaPort, controllerPort, readyTimeoutMs: opts.startTimeoutMs, security,
        ...(material ? { listenerLines: secureListenerLines(material, kafkaPort, controllerPort), formatArgs: scramFormatArgs(material) } : {}),
      };
      if ((await time('kafka', () => startKafka(layout, brokerOptions))) === 'started') started.push('kafka');
      if (started.includes('kafka')) opts.report(`Kafka        ${kafkaBootstrap} (KRaft, single node${material ? ', SASL_SSL only' : ''})`);

      const connectOptions = {
        port: connectPort, metricsPort: connectMetricsPort, kafkaPort, readyTimeoutMs: opts.startTimeoutMs,
        ...(material ? { kafkaClientSettings: secureConnectClientSettings(material) } : {}),
      };
      // A Connect started from other properties (older release: no config providers) cannot resolve the password reference.
      if (isRunning('connect') && readIfExists(layout.connectProperties) !== renderConnectProperties(layout, connectOptions)) {
        opts.report(`Restarting connect on its new properties: ${await stopService('connect')}`);
      }
      if ((await time('connect', () => startConnect(layout, connectOptions))) === 'started') started.push('connect');
      if (started.includes('connect')) opts.report(`Connect      ${connectUrl} (distributed), Debezium metrics ${endpoints.connectMetrics}`);

      const rendered = connectorConfig(password, material);
      writeFileSync(layout.connectorConfig, `${JSON.stringify(rendered, null, 2)}\n`, { mode: 0o600 });
      const registration = await time('connector', () =>
        registerConnector({
          connectUrl,
          connectorName: config.connect.connectorName,
          config: rendered,
          brokers: [kafkaBootstrap],
          schemaHistoryTopic: schemaHistoryTopic(config.kafka.topicPrefix),
          extraTopics: [config.kafka.dlqTopic],
          awaitTopics: dataTopics,
          timeoutMs: opts.startTimeoutMs,
          security,
        }),
      );
      const change = registration.created ? 'created' : registration.updated ? 'config updated' : 'config unchanged';
      opts.report(`Connector    ${config.connect.connectorName} (${change}): ${registration.status.connector.state}, task ${registration.status.tasks[0]?.state ?? '?'}`);
      opts.report(`Topics       ${dataTopics.join(', ')}`);
      opts.report(`Logs         ${layout.logsDir}`);
      if (material) opts.report(`Worker env   ${material.workerEnvFile} (TLS + SCRAM to Kafka, TLS to MariaDB; \`set -a; . <file>\` before \`start\`)`);
      return {
        started,
        jarsDownloaded: jars.downloaded,
        fixtureLoaded,
        connectorCreated: registration.created,
        connectorUpdated: registration.updated,
        timings,
        endpoints,
      };
    });
  }

  async function down(): Promise<Record<StackService, string>> {
    mkdirSync(layout.home, { recursive: true });
    return withStackLock(lockFile, opts.startTimeoutMs, async () => {
      const result = {} as Record<StackService, string>;
      for (const service of [...STACK_SERVICES].reverse()) result[service] = await stopService(service);
      return result;
    });
  }

  async function status(): Promise<StackStatus> {
    const services: ServiceStatus[] = [];
    for (const service of STACK_SERVICES) {
      const pid = runningPid(specs[service].pidFile, specs[service].marker);
      services.push({ service, pid, port: ports[service].port, listening: await isPortOpen(ports[service].port) });
    }
    const connector = services.every((s) => s.pid !== null)
      ? await createConnectClient(connectUrl, 3000).connectorStatus(config.connect.connectorName)
      : null;
    const healthy =
      services.every((s) => s.pid !== null && s.listening) &&
      connector?.connector.state === 'RUNNING' &&
      connector.tasks.length > 0 &&
      connector.tasks.every((t) => t.state === 'RUNNING');
    return { home: layout.home, services, connector, healthy: Boolean(healthy) };
  }

  async function reset(): Promise<void> {
    await down();
    for (const dir of [layout.mariadbData, layout.kraftData, layout.connectData]) rmSync(dir, { recursive: true, force: true });
    rmSync(layout.connectorConfig, { force: true });
    rmSync(path.join(layout.configDir, 'stack-mode'), { force: true });
  }

  return { layout, endpoints, up, down, stop: stopService, status, reset };
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/**
 * The worker's own MariaDB user on the secured stack: TLS required, a generated password in the
 * stack home. Full rights on IXC's database and on the project's schemas: a development stack.
 */
async function createSecureWorkerUser(port: number, database: string, syncSchema: string, m: SecureMaterial): Promise<void> {
  const connection = await rootConnection(port);
  try {
    await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ? REQUIRE SSL', [SECURE_WORKER_DB_USER, '%', m.workerDbPassword]);
    await connection.query('ALTER USER ?@? IDENTIFIED BY ? REQUIRE SSL', [SECURE_WORKER_DB_USER, '%', m.workerDbPassword]);
    await connection.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO ?@?`, [SECURE_WORKER_DB_USER, '%']);
    // The project's schema and the per-test ones beside it (ixc_iot_sync_*); '_' is a LIKE wildcard in grants, escaped.
    await connection.query(`GRANT ALL PRIVILEGES ON \`${syncSchema.replace(/_/g, '\\_')}%\`.* TO ?@?`, [SECURE_WORKER_DB_USER, '%']);
  } finally {
    await connection.end();
  }
}
