import os from 'node:os';
import path from 'node:path';
import { AppConfig, DEFAULT_STACK_HOME } from './app-config';
import { cleartextUrlProblem, isLoopbackHost } from '../lib/loopback';
import { createEnvReader } from './env-reader';
import { readableFile } from './readable-file';

type Env = Readonly<Record<string, string | undefined>>;

const SCHEMA_NAME = /^[A-Za-z0-9_]{1,64}$/;

/**
 * Connections the worker needs beside its reconcile slots: the consumer's marking transaction, a
 * lease renewal or the maintenance sweep, and the ops monitor's reads. Each slot holds at most one
 * connection at a time: its named locks and the queries under them share it.
 */
export const POOL_CONNECTIONS_BESIDES_SLOTS = 3;

/** The smallest pool that cannot starve `concurrency` slots. */
export function minPoolSize(concurrency: number): number {
  return concurrency + POOL_CONNECTIONS_BESIDES_SLOTS;
}

/**
 * Parses and validates the configuration from the environment. The only module that reads
 * `process.env`; everything else receives the frozen result. Throws a ConfigError naming every
 * offending variable. Every variable and default is documented in `.env.example`.
 */
export function loadConfig(env: Env = process.env): Readonly<AppConfig> {
  const r = createEnvReader(env);
  const stackDbPort = r.int('CDC_DB_PORT', 3307, { min: 1, max: 65535 });
  const kafkaPort = r.int('CDC_KAFKA_PORT', 19092, { min: 1, max: 65535 });
  const connectPort = r.int('CDC_CONNECT_PORT', 18083, { min: 1, max: 65535 });
  const connectMetricsPort = r.int('CDC_CONNECT_METRICS_PORT', connectPort + 1, { min: 1, max: 65535 });
  const reconcileBudgetMs = r.int('RECONCILE_BUDGET_MS', 60_000, { min: 1000 });
  const dbUser = r.optionalStr('IXC_DB_USER');

  const config: AppConfig = {
    db: {
      host: r.str('IXC_DB_HOST', '127.0.0.1'),
      tls: r.bool('IXC_DB_TLS', false)
        ? { caFile: readableFile(r, 'IXC_DB_TLS_CA_FILE', r.optionalStr('IXC_DB_TLS_CA_FILE')), verify: r.bool('IXC_DB_TLS_VERIFY', true) }
        : undefined,
      port: r.int('IXC_DB_PORT', stackDbPort, { min: 1, max: 65535 }),
      user: dbUser ?? 'root',
      password: r.secret('IXC_DB_PASSWORD') ?? '',
      ixcDatabase: r.str('IXC_DB_NAME', 'ixcprovedor'),
      syncSchema: r.str('SYNC_DB_SCHEMA', 'ixc_iot_sync'),
      poolSize: r.int('IXC_DB_POOL_SIZE', 10, { min: 1, max: 200 }),
      poolWaitMs: r.int('IXC_DB_POOL_WAIT_MS', 15_000, { min: 100 }),
      migrateOnStart: r.bool('MIGRATE_ON_START', false),
    },
    kafka: {
      brokers: r.str('KAFKA_BROKERS', `127.0.0.1:${kafkaPort}`).split(',').map((b) => b.trim()).filter(Boolean),
      clientId: r.str('KAFKA_CLIENT_ID', 'ixc-iot-sync'),
      groupId: r.str('KAFKA_GROUP_ID', 'ixc-iot-sync'),
      topicPrefix: r.str('KAFKA_TOPIC_PREFIX', 'ixc'),
      dlqTopic: r.str('KAFKA_DLQ_TOPIC', 'ixc-iot-sync.dlq'),
      heartbeatTopicPrefix: r.str('KAFKA_HEARTBEAT_TOPIC_PREFIX', '__debezium-heartbeat'),
      maxBytesPerPartition: r.int('KAFKA_MAX_BYTES_PER_PARTITION', 4_194_304, { min: 65_536, max: 67_108_864 }),
      tls: r.bool('KAFKA_TLS', false)
        ? {
            caFile: readableFile(r, 'KAFKA_TLS_CA_FILE', r.optionalStr('KAFKA_TLS_CA_FILE')),
            certFile: readableFile(r, 'KAFKA_TLS_CERT_FILE', r.optionalStr('KAFKA_TLS_CERT_FILE')),
            keyFile: readableFile(r, 'KAFKA_TLS_KEY_FILE', r.optionalStr('KAFKA_TLS_KEY_FILE')),
            keyPassword: r.secret('KAFKA_TLS_KEY_PASSWORD'),
            verify: r.bool('KAFKA_TLS_VERIFY', true),
          }
        : undefined,
      sasl: kafkaSasl(),
    },
    connect: {
      url: r.url('CONNECT_URL', `http://127.0.0.1:${connectPort}`) ?? `http://127.0.0.1:${connectPort}`,
      connectorName: r.str('CONNECTOR_NAME', 'ixc-mariadb-cdc'),
      metricsUrl: r.url('CONNECT_METRICS_URL', `http://127.0.0.1:${connectMetricsPort}/metrics`) ?? `http://127.0.0.1:${connectMetricsPort}/metrics`,
    },
    iot: {
      baseUrl: r.url('IOT_BASE_URL'),
      allowHttp: r.bool('IOT_ALLOW_HTTP', false),
      tenantId: r.optionalStr('IOT_TENANT_ID'),
      integrationId: r.int('IOT_INTEGRATION_ID', 1, { min: 1 }),
      clientId: r.optionalStr('IOT_CLIENT_ID'),
      clientSecret: r.secret('IOT_CLIENT_SECRET'),
      tokenPath: r.str('IOT_TOKEN_PATH', '/oauth/token'),
      tokenEncoding: r.oneOf('IOT_TOKEN_ENCODING', ['json', 'form'] as const, 'json'),
      connectTimeoutMs: r.int('IOT_CONNECT_TIMEOUT_MS', 5000, { min: 100 }),
      readTimeoutMs: r.int('IOT_READ_TIMEOUT_MS', 20_000, { min: 100 }),
      maxRequestsPerSecond: r.int('IOT_MAX_RPS', 20, { min: 1 }),
      maxConcurrency: r.int('IOT_MAX_CONCURRENCY', 8, { min: 1 }),
      retryAttempts: r.int('IOT_RETRY_ATTEMPTS', 5, { min: 1, max: 20 }),
      maxRetryAfterWaitMs: r.int('IOT_MAX_RETRY_AFTER_WAIT_MS', 10_000, { min: 0 }),
      maxResponseBytes: r.int('IOT_MAX_RESPONSE_BYTES', 1_048_576, { min: 65_536, max: 67_108_864 }),
      catalogCacheMs: r.int('IOT_CATALOG_CACHE_MS', 600_000, { min: 0 }),
      breakerErrorThresholdPercent: r.int('IOT_BREAKER_ERROR_PERCENT', 50, { min: 1, max: 100 }),
      breakerVolumeThreshold: r.int('IOT_BREAKER_VOLUME', 5, { min: 1 }),
      breakerResetTimeoutMs: r.int('IOT_BREAKER_RESET_MS', 30_000, { min: 100 }),
    },
    reconcile: {
      concurrency: r.int('RECONCILE_CONCURRENCY', 4, { min: 1, max: 256 }),
      budgetMs: reconcileBudgetMs,
      leaseMs: r.int('RECONCILE_LEASE_MS', reconcileBudgetMs * 2, { min: reconcileBudgetMs * 2 }),
      pollIntervalMs: r.int('RECONCILE_POLL_INTERVAL_MS', 1000, { min: 10 }),
      catchUpBacklog: r.int('RECONCILE_CATCH_UP_BACKLOG', 2000, { min: 0 }),
      catchUpConcurrency: r.int('RECONCILE_CATCH_UP_CONCURRENCY', 1, { min: 1, max: 256 }),
      shutdownTimeoutMs: r.int('SHUTDOWN_TIMEOUT_MS', 30_000, { min: 0 }),
      negativadoPolicy: r.oneOf('POLICY_NEGATIVADO', ['suspend', 'cancel'] as const, 'suspend'),
      overduePolicy: r.oneOf('POLICY_OVERDUE', ['suspend', 'active'] as const, 'suspend'),
      blastRadiusThreshold: r.int('BLAST_RADIUS_THRESHOLD', 50, { min: 0 }),
      parkedRetryIntervalMs: r.int('PARKED_RETRY_INTERVAL_MS', 3_600_000, { min: 1000 }),
      pendingLicenceRefreshIntervalMs: r.int('PENDING_LICENCE_REFRESH_INTERVAL_MS', 60_000, { min: 0 }),
      pendingLicenceRefreshBatch: r.int('PENDING_LICENCE_REFRESH_BATCH', 100, { min: 1 }),
    },
    audit: {
      retentionDays: r.int('AUDIT_RETENTION_DAYS', 90, { min: 1 }),
      purgeBatchSize: r.int('AUDIT_PURGE_BATCH_SIZE', 5000, { min: 1 }),
    },
    ops: {
      host: r.str('OPS_HOST', '127.0.0.1'),
      port: r.int('OPS_PORT', 9464, { min: 0, max: 65535 }),
      allowedHosts: r.str('OPS_ALLOWED_HOSTS', '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
      token: r.secret('OPS_TOKEN'),
      stallAfterMs: r.int('OPS_STALL_AFTER_MS', 120_000, { min: 1000 }),
      lagPollIntervalMs: r.int('OPS_LAG_POLL_INTERVAL_MS', 15_000, { min: 500 }),
      pollIntervalMs: r.int('OPS_POLL_INTERVAL_MS', 10_000, { min: 500 }),
    },
    log: {
      level: r.oneOf('LOG_LEVEL', ['error', 'warn', 'info', 'debug'] as const, 'info'),
      format: r.oneOf('LOG_FORMAT', ['json', 'pretty'] as const, 'json'),
    },
    stack: {
      home: expandHome(r.str('CDC_HOME', DEFAULT_STACK_HOME)),
      dbPort: stackDbPort,
      kafkaPort,
      controllerPort: r.int('CDC_CONTROLLER_PORT', 19093, { min: 1, max: 65535 }),
      connectPort,
      connectMetricsPort,
      connectorDbHost: r.str('CDC_CONNECTOR_DB_HOST', '127.0.0.1'),
      connectorPasswordRef: r.str('CDC_CONNECTOR_PASSWORD_REF', '${env:DEBEZIUM_DB_PASSWORD}'),
      secure: r.bool('CDC_SECURE', false),
      connectorDbPort: r.int('CDC_CONNECTOR_DB_PORT', stackDbPort, { min: 1, max: 65535 }),
      connectorKafkaBootstrap: r.str('CDC_CONNECTOR_KAFKA_BOOTSTRAP', `127.0.0.1:${kafkaPort}`),
      debeziumPassword: r.secret('DEBEZIUM_DB_PASSWORD'),
    },
    sandbox: {
      host: r.str('SANDBOX_HOST', '127.0.0.1'),
      port: r.int('SANDBOX_PORT', 18080, { min: 0, max: 65535 }),
      stateFile: r.optionalStr('SANDBOX_STATE_FILE'),
      clientId: r.optionalStr('SANDBOX_CLIENT_ID'),
      clientSecret: r.secret('SANDBOX_CLIENT_SECRET'),
      tokenLifetimeSec: r.int('SANDBOX_TOKEN_LIFETIME_S', 3600, { min: 1 }),
      adminToken: r.secret('SANDBOX_ADMIN_TOKEN'),
    },
  };

  const minPool = minPoolSize(config.reconcile.concurrency);
  if (config.db.poolSize < minPool) {
    r.problem(
      `IXC_DB_POOL_SIZE must be >= RECONCILE_CONCURRENCY + ${POOL_CONNECTIONS_BESIDES_SLOTS} = ${minPool}, got ${config.db.poolSize} ` +
        `(each reconcile slot holds one connection; the consumer, lease renewals and the ops monitor need the rest)`,
    );
  }
  if (config.kafka.brokers.length === 0) r.problem('KAFKA_BROKERS must list at least one host:port');
  // Schema names are interpolated into SQL as identifiers, so only a safe alphabet is accepted.
  for (const [name, value] of [
    ['IXC_DB_NAME', config.db.ixcDatabase],
    ['SYNC_DB_SCHEMA', config.db.syncSchema],
  ] as const) {
    if (!SCHEMA_NAME.test(value)) r.problem(`${name} must be 1-64 letters, digits or '_', got "${value}"`);
  }
  // root is the local stack's own administrator; any other server gets a dedicated user (README).
  if (dbUser === undefined && !(isLoopbackHost(config.db.host) && config.db.port === stackDbPort)) {
    r.problem(`IXC_DB_USER is required for a database other than the local stack (127.0.0.1:${stackDbPort}): create a dedicated worker user with the grants the README lists`);
  }
  const cleartext = config.iot.baseUrl === undefined || config.iot.allowHttp ? undefined : cleartextUrlProblem('IOT_BASE_URL', config.iot.baseUrl);
  if (cleartext !== undefined) r.problem(cleartext);
  const tenant = config.iot.tenantId;
  if (tenant !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(tenant)) {
    r.problem(`IOT_TENANT_ID must be 1-40 letters, digits, '-' or '_', got "${tenant}"`);
  }
  checkTransportSecurity();
  r.finish();
  return deepFreeze(config);

  function kafkaSasl(): AppConfig['kafka']['sasl'] {
    const mechanism = r.oneOf('KAFKA_SASL_MECHANISM', ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const, 'none');
    const username = r.optionalStr('KAFKA_SASL_USERNAME');
    const password = r.secret('KAFKA_SASL_PASSWORD');
    if (mechanism === 'none') {
      if (username !== undefined || password !== undefined) r.problem('KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD are set but KAFKA_SASL_MECHANISM is not (plain, scram-sha-256 or scram-sha-512)');
      return undefined;
    }
    if (username === undefined) r.problem(`KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    if (password === undefined) r.problem(`KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    return { mechanism, username: username ?? '', password: password ?? '' };
  }

  // A setting that only means something with TLS on is an error without it: the operator believes the link is encrypted.
  function checkTransportSecurity(): void {
    const tlsOnly = (flag: string, on: boolean, names: string[]): void => {
      const set = names.filter((n) => env[n] !== undefined && env[n]?.trim() !== '');
      if (set.length > 0 && !on) r.problem(`${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set but ${flag} is not true`);
    };
    tlsOnly('KAFKA_TLS', config.kafka.tls !== undefined, ['KAFKA_TLS_CA_FILE', 'KAFKA_TLS_CERT_FILE', 'KAFKA_TLS_KEY_FILE', 'KAFKA_TLS_KEY_PASSWORD', 'KAFKA_TLS_KEY_PASSWORD_FILE', 'KAFKA_TLS_VERIFY']);
    tlsOnly('IXC_DB_TLS', config.db.tls !== undefined, ['IXC_DB_TLS_CA_FILE', 'IXC_DB_TLS_VERIFY']);
    const tls = config.kafka.tls;
    if (tls && (tls.certFile === undefined) !== (tls.keyFile === undefined)) r.problem('KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together (client certificate and its key)');
    if (config.kafka.sasl?.mechanism === 'plain' && !tls) r.problem('KAFKA_SASL_MECHANISM=plain sends the password in clear: set KAFKA_TLS=true');
  }
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function expandHome(value: string): string {
  return value === '~' || value.startsWith('~/') ? path.join(os.homedir(), value.slice(1)) : value;
}
