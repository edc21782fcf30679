import type { Query } from '../consumers/mark-batch';
import type { PlatformProduct } from '../handlers/ports/iot-platform';
import { coerceError } from '../lib/coerce-error';
import { maskText } from '../lib/mask';
import type { ConnectorSnapshot } from './connector-monitor';
import type { CheckResult } from './doctor-check';
import { checkBinlog, checkGrants, checkTables, linkedProducts } from './doctor-database-checks';
import { matchSvaProducts, svaLinkedProducts, svaWarning } from './sva-links';

/** The platform as `doctor` needs it: can a token be had, and which products exist. */
interface DoctorPlatform {
  fetchToken(): Promise<void>;
  listProducts(): Promise<PlatformProduct[]>;
}

interface DoctorDeps {
  /** Opens the worker's database connection (IXC database as default). Throws when unreachable. */
  openDatabase(): Promise<{ query: Query; close(): Promise<void> }>;
  connectorStatus(): Promise<Omit<ConnectorSnapshot, 'checkedAt'>>;
  /** The connector's config as Kafka Connect holds it; null when it does not exist. */
  connectorConfig(): Promise<Record<string, string> | null>;
  listTopics(): Promise<string[]>;
  /** Null when the platform is not configured (IOT_BASE_URL and credentials). */
  platform: DoctorPlatform | null;
  /** Why `platform` is null, for the message. */
  platformUnavailableReason?: string;
}

interface DoctorOptions {
  dbHost: string;
  dbPort: number;
  ixcDatabase: string;
  syncSchema: string;
  integrationId: number;
  connectUrl: string;
  connectorName: string;
  /** Topics the worker consumes (captured tables). */
  changeTopics: string[];
  heartbeatTopic: string;
  dlqTopic: string;
}

const errText = (thrown: unknown): string => maskText(coerceError(thrown).message);

/**
 * Checks the prerequisites, each independently: database and binlog, tables and grants, Kafka
 * topics, the connector, the platform token and the linked products. A check that cannot run
 * because another failed says so (`skip`) instead of failing twice.
 */
export async function runDoctor(deps: DoctorDeps, o: DoctorOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];

  // Connector first: its config names the database user and server the binlog checks concern.
  let connectorConfig: Record<string, string> | null = null;
  try {
    const status = await deps.connectorStatus();
    const tasks = status.tasks.map((t) => `${t.id}:${t.state}`).join(', ') || 'no tasks';
    const allRunning = status.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((t) => t.state === 'RUNNING');
    results.push(
      allRunning
        ? { name: 'connector', status: 'ok', message: `${o.connectorName} RUNNING (${tasks})` }
        : { name: 'connector', status: 'fail', message: `${o.connectorName} ${status.state} (${tasks})${status.detail ? `: ${status.detail}` : ''}`, fix: connectorFix(status.state, o) },
    );
    if (status.state !== 'MISSING') connectorConfig = await deps.connectorConfig().catch(() => null);
  } catch (thrown) {
    results.push({
      name: 'connector',
      status: 'fail',
      message: `Kafka Connect is unreachable: ${errText(thrown)}`,
      fix: `start Kafka Connect (locally: \`ixc-iot-sync stack up\`) or set CONNECT_URL (now ${o.connectUrl})`,
    });
  }

  let db: { query: Query; close(): Promise<void> } | null = null;
  try {
    db = await deps.openDatabase();
    results.push({ name: 'database', status: 'ok', message: `connected to ${o.dbHost}:${o.dbPort}, database ${o.ixcDatabase}` });
  } catch (thrown) {
    results.push({
      name: 'database',
      status: 'fail',
      message: `cannot connect to ${o.dbHost}:${o.dbPort}: ${errText(thrown)}`,
      fix: 'check IXC_DB_HOST, IXC_DB_PORT, IXC_DB_USER, IXC_DB_PASSWORD and IXC_DB_NAME, and that the server runs',
    });
  }

  if (db) {
    const connectorHost = connectorConfig?.['database.hostname'];
    const connectorPort = connectorConfig?.['database.port'];
    const ctx = {
      query: db.query,
      ixcDatabase: o.ixcDatabase,
      syncSchema: o.syncSchema,
      connectorUser: connectorConfig?.['database.user'] ?? null,
      connectorReadsThisServer:
        connectorHost === undefined ? null : sameHost(connectorHost, o.dbHost) && Number(connectorPort ?? 3306) === o.dbPort,
    };
    for (const [name, check] of [
      ['binlog', checkBinlog],
      ['tables', checkTables],
      ['grants', checkGrants],
    ] as const) {
      try {
        results.push(...(await check(ctx)));
      } catch (thrown) {
        results.push({ name, status: 'fail', message: `could not check: ${errText(thrown)}` });
      }
    }
  } else {
    for (const name of ['binlog', 'tables', 'grants']) results.push({ name, status: 'skip', message: 'no database connection' });
  }

  try {
    const topics = new Set(await deps.listTopics());
    const missingChange = o.changeTopics.filter((t) => !topics.has(t));
    results.push(
      missingChange.length === 0
        ? { name: 'change topics', status: 'ok', message: `${o.changeTopics.length} topics present` }
        : {
            name: 'change topics',
            status: 'warn',
            message: `missing ${missingChange.join(', ')}`,
            fix: 'the connector creates them on its first snapshot; if it runs, check KAFKA_TOPIC_PREFIX and IXC_DB_NAME against its topic.prefix and database.include.list',
          },
    );
    results.push(
      topics.has(o.heartbeatTopic)
        ? { name: 'heartbeat topic', status: 'ok', message: o.heartbeatTopic }
        : {
            name: 'heartbeat topic',
            status: 'warn',
            message: `${o.heartbeatTopic} is missing: connector liveness cannot be seen`,
            fix: 'set heartbeat.interval.ms and heartbeat.topics.prefix in the connector (docker/connector template) and check KAFKA_HEARTBEAT_TOPIC_PREFIX',
          },
    );
    results.push(
      topics.has(o.dlqTopic)
        ? { name: 'dead-letter topic', status: 'ok', message: o.dlqTopic }
        : {
            name: 'dead-letter topic',
            status: 'fail',
            message: `${o.dlqTopic} does not exist and topic auto-creation is off: an undecodable record would stop the consumer`,
            fix: `create it (locally \`ixc-iot-sync stack up\`; elsewhere kafka-topics.sh --create --topic ${o.dlqTopic} --partitions 1)`,
          },
    );
  } catch (thrown) {
    results.push({ name: 'kafka', status: 'fail', message: `cannot list topics: ${errText(thrown)}`, fix: 'check KAFKA_BROKERS and that the broker runs' });
  }

  if (!deps.platform) {
    results.push({
      name: 'platform token',
      status: 'fail',
      message: `the IoT platform is not configured${deps.platformUnavailableReason ? `: ${deps.platformUnavailableReason}` : ''}`,
      fix: 'set IOT_BASE_URL and IOT_TENANT_ID, and the client credentials (integracoes_iot or IOT_CLIENT_ID/IOT_CLIENT_SECRET)',
    });
    results.push({ name: 'linked products', status: 'skip', message: 'no platform' });
  } else {
    let tokenOk = false;
    try {
      await deps.platform.fetchToken();
      tokenOk = true;
      results.push({ name: 'platform token', status: 'ok', message: 'a token was issued' });
    } catch (thrown) {
      results.push({ name: 'platform token', status: 'fail', message: `no token: ${errText(thrown)}`, fix: 'check the client id and secret and IOT_TOKEN_PATH' });
    }
    if (!tokenOk || !db) results.push({ name: 'linked products', status: 'skip', message: tokenOk ? 'no database connection' : 'no token' });
    else {
      results.push(await checkLinkedProducts(db.query, deps.platform, o.integrationId));
      results.push(await checkSvaLinkedProducts(db.query, deps.platform, o.integrationId));
    }
  }

  if (db) await db.close().catch(() => undefined);
  return results;
}

async function checkLinkedProducts(query: Query, platform: DoctorPlatform, integrationId: number): Promise<CheckResult> {
  try {
    const linked = await linkedProducts(query, integrationId);
    if (linked.length === 0) {
      return {
        name: 'linked products',
        status: 'warn',
        message: `no IXC product is linked to integration ${integrationId}: nothing will be provisioned`,
        fix: 'link products with `ixc-iot-sync catalog` or set produtos.id_integracao_iot / id_produto_iot',
      };
    }
    const onPlatform = new Map((await platform.listProducts()).map((p) => [p.id, p]));
    const problems: string[] = [];
    for (const l of linked) {
      const p = onPlatform.get(l.platformProductId);
      if (!p) problems.push(`product ${l.id} links ${l.platformProductId}, which the platform does not have`);
      else if (!p.active) problems.push(`product ${l.id} links ${l.platformProductId} (${p.name}), which is inactive on the platform`);
    }
    return problems.length === 0
      ? { name: 'linked products', status: 'ok', message: `${linked.length} linked product(s) exist and are active on the platform` }
      : { name: 'linked products', status: 'fail', message: problems.join('; '), fix: 'relink the IXC products to active platform products (`ixc-iot-sync catalog`)' };
  } catch (thrown) {
    return { name: 'linked products', status: 'fail', message: `could not compare with the platform: ${errText(thrown)}` };
  }
}

/** Products set up the SVA way (IXC's IoT spec creates the integration through the SVA form) are not provisioned: say so. */
async function checkSvaLinkedProducts(query: Query, platform: DoctorPlatform, integrationId: number): Promise<CheckResult> {
  const name = 'SVA-linked products';
  try {
    const warning = svaWarning(matchSvaProducts(await svaLinkedProducts(query, integrationId), await platform.listProducts()), integrationId);
    return warning === null
      ? { name, status: 'ok', message: 'no IoT product is linked only through id_sva_integracao/id_sva_pacote' }
      : { name, status: 'warn', message: warning, fix: '`ixc-iot-sync catalog adopt-sva --dry-run` shows the links and the contracts each provisions; then `catalog adopt-sva`' };
  } catch (thrown) {
    return { name, status: 'warn', message: `could not read the SVA links: ${errText(thrown)}` };
  }
}

function connectorFix(state: string, o: DoctorOptions): string {
  const base = o.connectUrl.replace(/\/+$/, '');
  const name = encodeURIComponent(o.connectorName);
  switch (state) {
    case 'MISSING':
      return 'register it: `ixc-iot-sync stack up` locally, or PUT docker/connector/ixc-mariadb-cdc.json.tmpl rendered to /connectors/<name>/config';
    case 'PAUSED':
    case 'STOPPED':
      return `resume it: curl -X PUT ${base}/connectors/${name}/resume`;
    case 'FAILED':
    default:
      return `read the trace (curl ${base}/connectors/${name}/status), fix the cause, then curl -X POST '${base}/connectors/${name}/restart?includeTasks=true&onlyFailed=true'`;
  }
}

function sameHost(a: string, b: string): boolean {
  const norm = (h: string): string => (h === 'localhost' || h === '::1' ? '127.0.0.1' : h.toLowerCase());
  return norm(a) === norm(b);
}
