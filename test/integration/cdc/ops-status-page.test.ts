import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../../src/config/load-config';
import { openChromium, type HeadlessChromium } from '../../helpers/chromium';
import { waitFor } from '../../helpers/wait-for';
import { startOpsRig, type OpsRig } from '../ops/helpers/ops-rig';

const config = loadConfig(process.env);
const ARTIFACTS = path.resolve(__dirname, '../../../test-artifacts');
const RAW_CPF = '123.456.789-09';

/**
 * The status page in Debian's Chromium, fed by the real monitors: lag of a stopped group on the
 * real broker, the backlog of a real work set, and the real connector's state. The page must
 * show those values (and mask the CPF inside a failure) — a screenshot is kept as an artifact.
 */
describe('status page in a real browser', () => {
  let rig: OpsRig;
  let browser: HeadlessChromium | undefined;
  let page: Page;
  let heartbeat: NodeJS.Timeout;

  beforeAll(async () => {
    rig = await startOpsRig({
      groupPrefix: 'ops-page-group',
      records: 6,
      ageMs: 300_000,
      pollIntervalMs: 1000,
      dlqTopic: config.kafka.dlqTopic,
      seed: async (db) => {
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
      },
    });
    rig.monitor.reportHeartbeat(Date.now());
    heartbeat = setInterval(() => rig.monitor.reportHeartbeat(Date.now()), 1000);
    browser = await openChromium({ width: 1280, height: 1100 });
    page = browser.page;
  });

  afterAll(async () => {
    clearInterval(heartbeat);
    await browser?.close();
    await rig?.stop();
  });

  const text = async (selector: string): Promise<string> => ((await page.locator(selector).first().textContent()) ?? '').trim();

  it('shows the real lag, backlog, parked counts and connector state, with personal data masked', async () => {
    await page.goto(rig.url);
    const row = page.locator(`#lag tr[data-key="${rig.topic}/0"] td`);
    // The page refreshes itself: wait until it has drawn the measured values.
    await waitFor(async () => (await row.count()) === 7 && (await row.nth(5).textContent()) !== 'measuring', { timeoutMs: 30_000, what: 'the lag row' });
    await waitFor(async () => (await text('#backlog')) === '5', { timeoutMs: 30_000, what: 'the backlog on the page' });

    const cells = await row.allTextContents();
    expect(cells.slice(0, 5)).toEqual([rig.topic, '0', '2', '6', '4']);
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
    const status = (await (await fetch(`${rig.url}/status.json`)).json()) as { workSet: { backlog: number; oldestAgeSeconds: number }; connector: { state: string } };
    expect(status.workSet.backlog).toBe(5);
    expect(status.workSet.oldestAgeSeconds).toBeGreaterThanOrEqual(90);
    expect(status.connector.state).toBe('RUNNING');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-page.png'), fullPage: true });
  });

  it("shows Debezium's source lag from Connect's JMX exporter next to the consumer lag", async () => {
    await page.goto(rig.url);
    await waitFor(async () => /^\d+(\.\d)? (s|min|h)/.test(await text('#source-lag')), { timeoutMs: 30_000, what: 'the source lag on the page' });
    const status = (await (await fetch(`${rig.url}/status.json`)).json()) as { connector: { source?: { lagMs: number | null; connected: boolean | null } } };
    expect(status.connector.source).toMatchObject({ connected: true });
    expect(status.connector.source?.lagMs).toBeGreaterThanOrEqual(0);
  });

  /** Horizontal overflow of the page, and of each card (a table wider than its card is clipped). */
  // Evaluated in the page (the project compiles without the DOM library, hence a string).
  const overflow = (): Promise<{ page: number; sections: string[] }> =>
    page.evaluate(`(() => ({
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      sections: [...document.querySelectorAll('section')]
        .filter((s) => s.scrollWidth > s.clientWidth || [...s.querySelectorAll('table')].some((t) => t.getBoundingClientRect().right > s.getBoundingClientRect().right))
        .map((s) => s.querySelector('h2')?.textContent ?? '?'),
    }))()`);

  it('fits 1280 px and narrower: every API endpoint and status, every breaker, no horizontal overflow', async () => {
    // Every endpoint the client calls, with the statuses an incident produces, and a failing breaker.
    const endpoints = ['POST /oauth/token', 'GET /customers', 'GET /customers/{id}', 'POST /customers', 'PATCH /customers/{id}', 'GET /products',
      'POST /customers/{customer_id}/subscriptions', 'GET /subscriptions', 'GET /subscriptions/{id}', 'PATCH /subscriptions/{id}',
      'POST /subscriptions/{id}/licenses', 'GET /subscriptions/{id}/licenses', 'GET /licenses/{id}', 'PATCH /licenses/{id}', 'DELETE /licenses/{id}'];
    for (const endpoint of endpoints) {
      for (const status of [200, 409, 429, 503, 'error'] as const) rig.monitor.reportApiCall({ endpoint, status, durationMs: 12 });
      rig.monitor.reportBreaker(endpoint, endpoint.startsWith('POST /subscriptions') ? 'halfOpen' : 'closed');
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(rig.url);
    await waitFor(async () => (await page.locator('#api tr').count()) === endpoints.length * 5, { timeoutMs: 30_000, what: 'the API table' });
    await waitFor(async () => (await page.locator('#breakers tr').count()) === endpoints.length, { timeoutMs: 30_000, what: 'the breakers table' });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-page-1280x800.png') });
    expect(await overflow()).toEqual({ page: 0, sections: [] });
    // The status column of the API table is on screen, not clipped at the card's edge.
    const statusCell = await page.locator('#api tr').first().locator('td').nth(1).boundingBox();
    expect(statusCell!.x + statusCell!.width).toBeLessThanOrEqual(1280);

    for (const width of [1024, 768, 390]) {
      await page.setViewportSize({ width, height: 800 });
      expect({ width, ...(await overflow()) }).toEqual({ width, page: 0, sections: [] });
    }
  });
});
