import type { Admin, Kafka } from 'kafkajs';
import mysql from 'mysql2/promise';
import { loadConfig } from '../../../src/config';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { createConnectorMonitor } from '../../../src/ops/connector-monitor';
import { createLagMonitor } from '../../../src/ops/lag-monitor';
import { createMetrics } from '../../../src/ops/metrics';
import { createOpsMonitor, type OpsMonitor } from '../../../src/ops/ops-monitor';
import { createOpsServer, type OpsServer } from '../../../src/ops/ops-server';
import { createWorkSetMonitor } from '../../../src/ops/work-set-monitor';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database';
import { waitFor } from '../../helpers/wait-for';
import { consumeToEnd, createTestTopic, produceTimed, randomName, testKafka } from '../ops/helpers/kafka-fixtures';

const config = loadConfig(process.env);
const STALL_AFTER_MS = 3_000;

/**
 * `/ready` must not call a wedged pipeline healthy: it turns unready when a partition has lag and
 * no progress, and when the (real) connector is paused — and ready again once things move.
 */
describe('/ready against the real stack', () => {
  let db: TestDatabase;
  let pool: mysql.Pool;
  let kafka: Kafka;
  let admin: Admin;
  let topic: string;
  let groupId: string;
  let monitor: OpsMonitor;
  let server: OpsServer;
  let url: string;

  const ready = async (): Promise<{ status: number; reasons: string[] }> => {
    monitor.reportHeartbeat(Date.now()); // the consumer's part: heartbeats keep arriving
    const res = await fetch(`${url}/ready`);
    return { status: res.status, reasons: ((await res.json()) as { reasons: string[] }).reasons };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await runMigrations(db.db);
    pool = mysql.createPool({ host: db.db.host, port: db.db.port, user: db.db.user, password: db.db.password, connectionLimit: 2 });
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    topic = await createTestTopic(admin, 1);
    groupId = randomName('ops-ready-group');
    await produceTimed(kafka, topic, 1, 5, Date.now() - 30_000, 1000);
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] });

    const metrics = createMetrics({ defaultMetrics: false });
    monitor = createOpsMonitor(
      {
        metrics,
        lag: createLagMonitor({ kafka, metrics }, { groupId, topics: [topic], pollIntervalMs: 300 }),
        connector: createConnectorMonitor({ metrics }, { url: config.connect.url, connectorName: config.connect.connectorName, pollIntervalMs: 300 }),
        workSet: createWorkSetMonitor(
          { query: async (sql, params) => (await pool.query(sql, params))[0], metrics },
          { syncSchema: db.db.syncSchema, pollIntervalMs: 300 },
        ),
      },
      { readiness: { stallAfterMs: STALL_AFTER_MS } },
    );
    server = createOpsServer({ monitor, metrics }, { port: 0 });
    url = (await server.start()).url;
    monitor.start();
  });

  afterAll(async () => {
    await server?.stop();
    await monitor?.stop();
    await admin?.deleteGroups([groupId]).catch(() => undefined);
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
    await pool?.end();
    await db?.drop();
  });

  it('is unready while a partition has lag and no progress, and ready once the group catches up', async () => {
    const stuck = await waitFor(
      async () => {
        const r = await ready();
        return r.status === 503 && r.reasons.some((x) => x.includes(`partition ${topic}[0] stuck: 3 behind`)) ? r : null;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: '/ready to report the stuck partition' },
    );
    expect(stuck.reasons.join('\n')).not.toMatch(/connector/);

    await consumeToEnd(kafka, admin, groupId, topic);
    await waitFor(async () => (await ready()).status === 200, { timeoutMs: 30_000, intervalMs: 250, what: '/ready to recover after the group caught up' });
  });

  it('is unready while the connector is paused, and ready again after it resumes', async () => {
    const connectorUrl = `${config.connect.url}/connectors/${encodeURIComponent(config.connect.connectorName)}`;
    const state = async (): Promise<string> => ((await (await fetch(`${connectorUrl}/status`)).json()) as { connector: { state: string } }).connector.state;
    expect(await state()).toBe('RUNNING');
    try {
      expect((await fetch(`${connectorUrl}/pause`, { method: 'PUT' })).status).toBe(202);
      const paused = await waitFor(
        async () => {
          const r = await ready();
          return r.status === 503 && r.reasons.includes('connector PAUSED') ? r : null;
        },
        { timeoutMs: 30_000, intervalMs: 250, what: '/ready to report the paused connector' },
      );
      expect(paused.status).toBe(503);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^ixc_iot_sync_connector_running 0$/m);
      const status = (await (await fetch(`${url}/status.json`)).json()) as { connector: { state: string } };
      expect(status.connector.state).toBe('PAUSED');
    } finally {
      await fetch(`${connectorUrl}/resume`, { method: 'PUT' });
      await waitFor(async () => (await state()) === 'RUNNING', { timeoutMs: 60_000, intervalMs: 250, what: 'the connector to resume' });
    }
    await waitFor(async () => (await ready()).status === 200, { timeoutMs: 30_000, intervalMs: 250, what: '/ready after the connector resumed' });
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^ixc_iot_sync_connector_running 1$/m);
  });
});
