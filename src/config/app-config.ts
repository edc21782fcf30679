import os from 'node:os';
import path from 'node:path';

/** Connection to the IXC MariaDB server. The project's own tables live in `syncSchema` on the same server. */
export interface DatabaseConfig {
  host: string;
  port: number;
  /** TLS to MariaDB; undefined: plaintext (loopback only, or a private network you trust). */
  tls?: DatabaseTlsConfig | undefined;
  user: string;
  /** Never logged. */
  password: string;
  /** IXC's database (read, and written only in its IoT tables). @defaultValue `ixcprovedor` */
  ixcDatabase: string;
  /** The project's own schema: sync state, audit, confirmations. @defaultValue `ixc_iot_sync` */
  syncSchema: string;
  /** Connections; at least RECONCILE_CONCURRENCY + 3 (see `minPoolSize`). @defaultValue 10 */
  poolSize: number;
  /** Longest wait for a pooled connection before a PoolWaitTimeoutError. @defaultValue 15000 */
  poolWaitMs?: number;
  /** `start` applies pending migrations (DDL) itself; otherwise it refuses to run on an outdated schema. @defaultValue false */
  migrateOnStart?: boolean;
}

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  /** The live consumer group. Replays use their own groups and never touch this one. */
  groupId: string;
  /** Debezium `topic.prefix`; topics are `<prefix>.<ixcDatabase>.<table>`. @defaultValue `ixc` */
  topicPrefix: string;
  /** Where undecodable records go. @defaultValue `ixc-iot-sync.dlq` */
  dlqTopic: string;
  /** Debezium heartbeat topic prefix. @defaultValue `__debezium-heartbeat` */
  heartbeatTopicPrefix: string;
  /** Upper bound of one fetch per partition, bytes. @defaultValue 4194304 */
  maxBytesPerPartition: number;
  /** TLS to the brokers (SSL or SASL_SSL listeners); undefined: plaintext. */
  tls: KafkaTlsConfig | undefined;
  /** SASL authentication; undefined: none. */
  sasl: KafkaSaslConfig | undefined;
}

interface ConnectConfig {
  /** Kafka Connect REST endpoint. @defaultValue `http://127.0.0.1:18083` */
  url: string;
  /** @defaultValue `ixc-mariadb-cdc` */
  connectorName: string;
  /** Connect's JMX exporter (Debezium's own metrics: source lag). @defaultValue `http://127.0.0.1:<CDC_CONNECT_METRICS_PORT>/metrics` */
  metricsUrl: string;
}

export interface IotConfig {
  /** Platform base URL. Required by every command that calls the platform; there is no safe default. */
  baseUrl: string | undefined;
  /** Development only (the compose sandbox): accept `http://` to a host beyond loopback. @defaultValue false */
  allowHttp: boolean;
  /** Tenant id in external references (`ixc:<tenant>:…`), e.g. the ISP's CNPJ digits. */
  tenantId: string | undefined;
  /** `integracoes_iot.id` this deployment serves. @defaultValue 1 */
  integrationId: number;
  /** Override of `integracoes_iot.client_id`. */
  clientId: string | undefined;
  /** Override of `integracoes_iot.client_secret`. Never logged. */
  clientSecret: string | undefined;
  /** @defaultValue `/oauth/token` */
  tokenPath: string;
  /** @defaultValue `json` */
  tokenEncoding: 'json' | 'form';
  /** @defaultValue 5000 */
  connectTimeoutMs: number;
  /** @defaultValue 20000 */
  readTimeoutMs: number;
  /** Client-side cap on requests per second, per process. @defaultValue 20 */
  maxRequestsPerSecond: number;
  /** Client-side cap on requests in flight, per process. @defaultValue 8 */
  maxConcurrency: number;
  /** Attempts per HTTP call, first included. @defaultValue 5 */
  retryAttempts: number;
  /** A `Retry-After` longer than this reschedules the reconcile instead of sleeping. @defaultValue 10000 */
  maxRetryAfterWaitMs: number;
  /** Largest platform response body accepted, bytes. @defaultValue 1048576 */
  maxResponseBytes: number;
  /** Catalogue cache lifetime. @defaultValue 600000 */
  catalogCacheMs: number;
  /** Failure percentage (in a 10 s rolling window) that opens a breaker, per endpoint and for the host. @defaultValue 50 */
  breakerErrorThresholdPercent: number;
  /** Calls in the window before a breaker may open. @defaultValue 5 */
  breakerVolumeThreshold: number;
  /** How long an open breaker waits before letting one trial call through. @defaultValue 30000 */
  breakerResetTimeoutMs: number;
}

interface ReconcileConfig {
  /** Reconcile slots per process. @defaultValue 4 */
  concurrency: number;
  /** Time budget of one reconcile; the lease covers twice this. @defaultValue 60000 */
  budgetMs: number;
  /** @defaultValue 120000 */
  leaseMs: number;
  /** Sleep after an empty claim. @defaultValue 1000 */
  pollIntervalMs: number;
  /** Consumer backlog (records) above which only `catchUpConcurrency` slots claim; 0 never holds slots back. @defaultValue 2000 */
  catchUpBacklog: number;
  /** Slots that keep reconciling while the consumer catches up on a burst. @defaultValue 1 */
  catchUpConcurrency: number;
  /** Bound on in-flight work at shutdown before aborting it. @defaultValue 30000 */
  shutdownTimeoutMs: number;
  /** `status` N (negativado): suspend or cancel. @defaultValue `suspend` */
  negativadoPolicy: 'suspend' | 'cancel';
  /** `status_internet` FA (overdue): suspend or keep active. @defaultValue `suspend` */
  overduePolicy: 'suspend' | 'active';
  /** One change revoking or cancelling more licences than this waits for `reconcile --confirm`. @defaultValue 50 */
  blastRadiusThreshold: number;
  /** Parked rows are retried at low priority this often. @defaultValue 3600000 */
  parkedRetryIntervalMs: number;
  /**
   * Pending licences (created, not yet activated by a device) are re-read on the platform this often,
   * so an activation shows in IXC's tab within about this long; 0 disables. @defaultValue 60000
   */
  pendingLicenceRefreshIntervalMs: number;
  /** At most this many pending licences read per interval (one GET each), the one read longest ago first. @defaultValue 100 */
  pendingLicenceRefreshBatch: number;
}

interface AuditConfig {
  /** @defaultValue 90 */
  retentionDays: number;
  /** Rows deleted per purge batch. @defaultValue 5000 */
  purgeBatchSize: number;
}

interface OpsConfig {
  /** @defaultValue `127.0.0.1` */
  host: string;
  /** @defaultValue 9464 */
  port: number;
  /** Bearer token required on the ops port when set (set it whenever host is not loopback). */
  token: string | undefined;
  /** Host names (besides loopback and IP addresses) the ops port answers to, from `OPS_ALLOWED_HOSTS` (comma-separated). @defaultValue `[]` */
  allowedHosts: string[];
  /** Unready when partitions have lag and nothing advanced for this long. @defaultValue 120000 */
  stallAfterMs: number;
  /** How often consumer lag is measured (one probe read per partition whose committed offset moved). @defaultValue 15000 */
  lagPollIntervalMs: number;
  /** How often the connector state and the work set are read. @defaultValue 10000 */
  pollIntervalMs: number;
}

export interface LogConfig {
  /** @defaultValue `info` */
  level: 'error' | 'warn' | 'info' | 'debug';
  /** @defaultValue `json` */
  format: 'json' | 'pretty';
}

/** The local CDC stack (no Docker): where jars, data and logs live and which ports it takes. */
interface StackConfig {
  /** Jar cache, data and logs; outside the clone so a fresh clone reuses the download. @defaultValue `~/.cache/ixc-iot-sync/cdc` */
  home: string;
  /** @defaultValue 3307 */
  dbPort: number;
  /** @defaultValue 19092 */
  kafkaPort: number;
  /** @defaultValue 19093 */
  controllerPort: number;
  /** @defaultValue 18083 */
  connectPort: number;
  /** The JMX exporter agent on Kafka Connect. @defaultValue CDC_CONNECT_PORT + 1 */
  connectMetricsPort: number;
  /** MariaDB host as Kafka Connect sees it (`stack register`; compose: `mariadb`). @defaultValue `127.0.0.1` */
  connectorDbHost: string;
  /** MariaDB port as Kafka Connect sees it. @defaultValue CDC_DB_PORT */
  connectorDbPort: number;
  /** Kafka bootstrap as Kafka Connect sees it (schema history). @defaultValue `127.0.0.1:<CDC_KAFKA_PORT>` */
  connectorKafkaBootstrap: string;
  /** Password of the connector's MariaDB user. Never logged. When unset, the local stack generates one per stack home. */
  debeziumPassword: string | undefined;
  /**
   * How the connector config refers to that password (`stack register`): a Kafka Connect config
   * provider reference resolved inside Connect, never the password itself.
   * @defaultValue `${env:DEBEZIUM_DB_PASSWORD}`
   */
  connectorPasswordRef: string;
  /** The local stack with TLS and SASL (`stack up --secure`). @defaultValue false */
  secure: boolean;
}

export interface SandboxConfig {
  /** @defaultValue `127.0.0.1` */
  host: string;
  /** @defaultValue 18080 */
  port: number;
  /** Optional JSON file the sandbox persists its state to. */
  stateFile: string | undefined;
  /** Client id the sandbox accepts; a random one is generated (and printed) when unset. */
  clientId: string | undefined;
  /** Client secret the sandbox accepts; a random one is generated when unset. Never logged. */
  clientSecret: string | undefined;
  /** Lifetime of the tokens the sandbox issues. @defaultValue 3600 */
  tokenLifetimeSec: number;
  /** Bearer token the sandbox's `/__admin` requires; needed to bind beyond loopback. Never logged. */
  adminToken: string | undefined;
}

export interface AppConfig {
  db: DatabaseConfig;
  kafka: KafkaConfig;
  connect: ConnectConfig;
  iot: IotConfig;
  reconcile: ReconcileConfig;
  audit: AuditConfig;
  ops: OpsConfig;
  log: LogConfig;
  stack: StackConfig;
  sandbox: SandboxConfig;
}

export const DEFAULT_STACK_HOME = path.join(os.homedir(), '.cache', 'ixc-iot-sync', 'cdc');

/** TLS to MariaDB (TypeORM's pool and every mysql2 connection the app opens). */
interface DatabaseTlsConfig {
  /** PEM file of the CA that signed the server's certificate; unset: the system's CAs. */
  caFile: string | undefined;
  /** Verify the server's certificate and host name. @defaultValue true */
  verify: boolean;
}

/** TLS to the Kafka brokers. */
interface KafkaTlsConfig {
  /** PEM file of the CA that signed the brokers' certificates; unset: the system's CAs. */
  caFile: string | undefined;
  /** Client certificate (PEM) for brokers that require one (mutual TLS); needs keyFile. */
  certFile: string | undefined;
  keyFile: string | undefined;
  /** Password (passphrase) of an encrypted keyFile. Never logged. */
  keyPassword: string | undefined;
  /** Verify the brokers' certificates and host names. @defaultValue true */
  verify: boolean;
}

type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

interface KafkaSaslConfig {
  mechanism: KafkaSaslMechanism;
  username: string;
  /** Never logged. */
  password: string;
}
