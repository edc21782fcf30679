import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type KafkaConfig as KafkaClientConfig } from 'kafkajs';
import type { ConnectorConfig } from './connector-template';
import { createConnectClient, type ConnectClient, type ConnectorStatus } from './connect-client';
import { StackStartError } from './errors';

interface RegisterConnectorOptions {
  connectUrl: string;
  connectorName: string;
  config: ConnectorConfig;
  /** Brokers as this process sees them (not necessarily as Connect sees them). */
  brokers: string[];
  schemaHistoryTopic: string;
  /** Other topics created up front (compacted data topics are left to Connect). */
  extraTopics: string[];
  /** Topics whose existence means the initial snapshot has written them. */
  awaitTopics: string[];
  timeoutMs: number;
  /** TLS and SASL of this process's admin client. */
  security?: Pick<KafkaClientConfig, 'ssl' | 'sasl'>;
}

/** Consecutive RUNNING polls required after an update: Connect restarts the tasks asynchronously. */
const SETTLED_POLLS_AFTER_UPDATE = 4;

/**
 * Creates the schema-history topic (one partition, infinite retention: Debezium replays it on
 * every start), PUTs the connector config when it is new or changed, and waits for connector and
 * task RUNNING and for the data topics to appear. An unchanged config is not re-PUT: an update
 * restarts the connector and its task a moment later, so a status read right after the PUT
 * would still show the old, RUNNING task.
 */
export async function registerConnector(
  options: RegisterConnectorOptions,
): Promise<{ created: boolean; updated: boolean; status: ConnectorStatus }> {
  await ensureTopics(options);
  const client = createConnectClient(options.connectUrl);
  const stored = await client.connectorConfig(options.connectorName);
  const unchanged = stored !== null && sameConfig(stored, options.connectorName, options.config);
  const created = unchanged ? false : await client.putConnectorConfig(options.connectorName, options.config);
  const updated = !unchanged && !created;
  const deadline = Date.now() + options.timeoutMs;
  const status = await waitForRunning(client, options, deadline, updated ? SETTLED_POLLS_AFTER_UPDATE : 1);
  await waitForTopics(options.brokers, options.awaitTopics, deadline, options.security);
  return { created, updated, status };
}

async function waitForRunning(
  client: ConnectClient,
  options: RegisterConnectorOptions,
  deadline: number,
  consecutive: number,
): Promise<ConnectorStatus> {
  let running = 0;
  for (;;) {
    const status = await client.connectorStatus(options.connectorName);
    const failed = status && [status.connector, ...status.tasks].find((s) => s.state === 'FAILED');
    if (failed) {
      throw new StackStartError(`Connector ${options.connectorName} FAILED: ${(failed.trace ?? '').split('\n').slice(0, 5).join(' | ')}`);
    }
    if (status?.connector.state === 'RUNNING' && status.tasks.length > 0 && status.tasks.every((t) => t.state === 'RUNNING')) {
      running += 1;
      if (running >= consecutive) return status;
    } else {
      running = 0;
    }
    if (Date.now() > deadline) {
      throw new StackStartError(`Connector ${options.connectorName} not RUNNING within ${options.timeoutMs} ms: ${JSON.stringify(status)}`);
    }
    await sleep(250);
  }
}

export function sameConfig(stored: Readonly<Record<string, string>>, name: string, desired: ConnectorConfig): boolean {
  const want: Record<string, string> = { name, ...desired };
  const keys = Object.keys(want);
  return keys.length === Object.keys(stored).length && keys.every((k) => stored[k] === want[k]);
}

async function ensureTopics(options: RegisterConnectorOptions): Promise<void> {
  const admin = adminClient(options.brokers, options.security);
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: options.schemaHistoryTopic,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'retention.ms', value: '-1' },
            { name: 'retention.bytes', value: '-1' },
          ],
        },
        ...options.extraTopics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

async function waitForTopics(brokers: string[], topics: string[], deadline: number, security?: Pick<KafkaClientConfig, 'ssl' | 'sasl'>): Promise<void> {
  const admin = adminClient(brokers, security);
  await admin.connect();
  try {
    for (;;) {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length === 0) return;
      if (Date.now() > deadline) throw new StackStartError(`Snapshot did not create topics ${missing.join(', ')} in time; see the Connect log`);
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
}

function adminClient(brokers: string[], security: Pick<KafkaClientConfig, 'ssl' | 'sasl'> = {}) {
  return new Kafka({ clientId: 'ixc-iot-sync-stack', brokers, ...security, logLevel: logLevel.NOTHING }).admin();
}
