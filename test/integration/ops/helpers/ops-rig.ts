import type { Admin, Kafka } from 'kafkajs';
import mysql from 'mysql2/promise';
import { loadConfig } from '../../../../src/config/load-config';
import { runMigrations } from '../../../../src/migrations/run-migrations';
import { createConnectorMonitor } from '../../../../src/ops/connector-monitor';
import { createLagMonitor } from '../../../../src/ops/lag-monitor';
import { createMetrics } from '../../../../src/ops/metrics';
import { createOpsMonitor, type OpsMonitor, type OpsMonitorOptions } from '../../../../src/ops/ops-monitor';
import { createOpsServer } from '../../../../src/ops/ops-server';
import { createWorkSetMonitor } from '../../../../src/ops/work-set-monitor';
import { createTestDatabase, type TestDatabase } from '../../../helpers/test-database';
import { createTestTopic, produceTimed, randomName, testKafka } from './kafka-fixtures';

export interface OpsRigOptions {
  /** Prefix of the consumer group's name. */
  groupPrefix: string;
  /** Records in the one-partition topic, one a second, the first written `ageMs` ago; the group has committed offset 2. */
  records: number;
  ageMs: number;
  pollIntervalMs: number;
  /** Runs after the migrations, before the monitors start (the rows the work-set monitor should find). */
  seed?: (db: TestDatabase) => Promise<void>;
  dlqTopic?: string;
  /** Node's default metrics. @defaultValue true */
  defaultMetrics?: boolean;
  monitor?: OpsMonitorOptions;
}

export interface OpsRig {
  db: TestDatabase;
  kafka: Kafka;
  admin: Admin;
  topic: string;
  groupId: string;
  monitor: OpsMonitor;
  /** The ops server's base URL. */
  url: string;
  /** Stops everything started and removes the group, the topic and the databases. */
  stop(): Promise<void>;
}

/**
 * The ops monitors and server as the worker wires them, against real parts: a test database, a
 * topic on the stack's broker with a group lagging behind, and the stack's connector.
 */
export async function startOpsRig(o: OpsRigOptions): Promise<OpsRig> {
  const config = loadConfig(process.env);
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    await runMigrations(db.db);
    await o.seed?.(db);
    const pool = mysql.createPool({ host: db.db.host, port: db.db.port, user: db.db.user, password: db.db.password, connectionLimit: 2 });
    cleanups.push(() => pool.end());

    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const topic = await createTestTopic(admin, 1);
    cleanups.push(() => admin.deleteTopics({ topics: [topic] }));
    const groupId = randomName(o.groupPrefix);
    cleanups.push(() => admin.deleteGroups([groupId]));
    await produceTimed(kafka, topic, 1, o.records, Date.now() - o.ageMs, 1000);
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] });

    const metrics = createMetrics({ defaultMetrics: o.defaultMetrics ?? true });
    const monitor = createOpsMonitor(
      {
        metrics,
        lag: createLagMonitor({ kafka, metrics }, { groupId, topics: [topic], pollIntervalMs: o.pollIntervalMs, ...(o.dlqTopic ? { dlqTopic: o.dlqTopic } : {}) }),
        connector: createConnectorMonitor({ metrics }, {
          url: config.connect.url,
          connectorName: config.connect.connectorName,
          sourceMetrics: { url: config.connect.metricsUrl, server: config.kafka.topicPrefix },
          pollIntervalMs: o.pollIntervalMs,
        }),
        workSet: createWorkSetMonitor(
          { query: async (sql, params) => (await pool.query(sql, params))[0], metrics },
          { syncSchema: db.db.syncSchema, pollIntervalMs: o.pollIntervalMs },
        ),
      },
      o.monitor,
    );
    cleanups.push(() => monitor.stop());
    const server = createOpsServer({ monitor, metrics }, { port: 0 });
    const { url } = await server.start();
    cleanups.push(() => server.stop());
    monitor.start();
    return { db, kafka, admin, topic, groupId, monitor, url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
