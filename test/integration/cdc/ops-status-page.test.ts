import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import mysql from 'mysql2/promise';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
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
import { createTestTopic, produceTimed, randomName, testKafka } from '../ops/helpers/kafka-fixtures';

const config = loadConfig(process.env);
const ARTIFACTS = path.resolve(__dirname, '../../../test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
/** Installed by scripts/install-browser.sh (CI runs it). */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const RAW_CPF = '123.456.789-09';

/**
 * The status page in Debian's Chromium, fed by the real monitors: lag of a stopped group on the
 * real broker, the backlog of a real work set, and the real connector's state. The page must
 * show those values (and mask the CPF inside a failure) — a screenshot is kept as an artifact.
 */
describe('status page in a real browser', () => {
  let db: TestDatabase;
  let pool: mysql.Pool;
  let kafka: Kafka;
  let admin: Admin;
  let topic: string;
  let groupId: string;
  let monitor: OpsMonitor;
  let server: OpsServer;
  let url: string;
  let userDataDir: string;
  let browser: BrowserContext;
  let page: Page;
  let heartbeat: NodeJS.Timeout;

  beforeAll(async () => {
    db = await createTestDatabase();
    await runMigrations(db.db);
    const s = `\`${db.db.syncSchema}\`.contract_sync`;
    // Five pending marks (the oldest 90 s old), two parked contracts, one of them with a CPF in its error.
    await db.admin.query(
      `INSERT INTO ${s} (contract_id, generation, dirty, priority, marked_at) VALUES
        (101, 1, 1, 100, NOW(3) - INTERVAL 90 SECOND), (102, 1, 1, 100, NOW(3)), (103, 1, 1, 50, NOW(3)), (104, 1, 1, 10, NOW(3)), (105, 1, 1, 5, NOW(3))`,
    );
    await db.admin.query(
      `INSERT INTO ${s} (contract_id, generation, dirty, parked_reason, parked_at, attempts, last_error, last_error_at) VALUES
        (201, 1, 1, 'invalid_customer', NOW(3), 3, 'Invalid customer document: CPF ${RAW_CPF} rejected by the platform', NOW(3)),
        (202, 1, 1, 'invalid_customer', NOW(3), 1, 'Invalid customer email', NOW(3))`,
    );
    pool = mysql.createPool({ host: db.db.host, port: db.db.port, user: db.db.user, password: db.db.password, connectionLimit: 2 });

    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    topic = await createTestTopic(admin, 1);
    groupId = randomName('ops-page-group');
    await produceTimed(kafka, topic, 1, 6, Date.now() - 300_000, 1000);
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] });

    const metrics = createMetrics();
    monitor = createOpsMonitor({
      metrics,
      lag: createLagMonitor({ kafka, metrics }, { groupId, topics: [topic], dlqTopic: config.kafka.dlqTopic, pollIntervalMs: 1000 }),
      connector: createConnectorMonitor({ metrics }, { url: config.connect.url, connectorName: config.connect.connectorName, pollIntervalMs: 1000 }),
      workSet: createWorkSetMonitor({ query: async (sql, params) => (await pool.query(sql, params))[0], metrics }, { syncSchema: db.db.syncSchema, pollIntervalMs: 1000 }),
    });
    monitor.reportHeartbeat(Date.now());
    heartbeat = setInterval(() => monitor.reportHeartbeat(Date.now()), 1000);
    server = createOpsServer({ monitor, metrics }, { port: 0 });
    url = (await server.start()).url;
    monitor.start();

    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'ops-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 1100 } });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterAll(async () => {
    clearInterval(heartbeat);
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await server?.stop();
    await monitor?.stop();
    await admin?.deleteGroups([groupId]).catch(() => undefined);
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
    await pool?.end();
    await db?.drop();
  });

  const text = async (selector: string): Promise<string> => ((await page.locator(selector).first().textContent()) ?? '').trim();

  it('shows the real lag, backlog, parked counts and connector state, with personal data masked', async () => {
    await page.goto(url);
    const row = page.locator(`#lag tr[data-key="${topic}/0"] td`);
    // The page refreshes itself: wait until it has drawn the measured values.
    await waitFor(async () => (await row.count()) === 7 && (await row.nth(5).textContent()) !== 'measuring', { timeoutMs: 30_000, what: 'the lag row' });
    await waitFor(async () => (await text('#backlog')) === '5', { timeoutMs: 30_000, what: 'the backlog on the page' });

    const cells = await row.allTextContents();
    expect(cells.slice(0, 5)).toEqual([topic, '0', '2', '6', '4']);
    // The oldest unconsumed record (offset 2) was written about 298 s ago; measured against now.
    expect(Number(cells[5])).toBeGreaterThan(290);
    expect(await text('#connector-state')).toBe('RUNNING');
    expect(await text('#connector-name')).toBe(config.connect.connectorName);
    expect(await text('#backlog-age')).toMatch(/^\d+(\.\d)? (s|min)$/);
    expect(await page.locator('#parked tr td').allTextContents()).toEqual(['invalid_customer', '2']);

    const failures = (await page.locator('#failures').textContent()) ?? '';
    expect(failures).toContain('123.***.***-09');
    expect(failures).not.toContain(RAW_CPF);
    expect(await page.content()).not.toContain(RAW_CPF);

    // What the page shows is what /status.json says.
    const status = (await (await fetch(`${url}/status.json`)).json()) as { workSet: { backlog: number; oldestAgeSeconds: number }; connector: { state: string } };
    expect(status.workSet.backlog).toBe(5);
    expect(status.workSet.oldestAgeSeconds).toBeGreaterThanOrEqual(90);
    expect(status.connector.state).toBe('RUNNING');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-page.png'), fullPage: true });
  });
});
