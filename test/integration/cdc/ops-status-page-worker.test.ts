import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import type { Page } from 'playwright-core';
import { liveTopics } from '../../../src/ops/create-ops';
import type { StatusDocument } from '../../../src/ops/ops-monitor';
import { cdcConfig, cdcDatabase, randomGroupId } from '../../helpers/cdc-stack';
import { createIxcWorld, type IxcWorld } from '../../helpers/ixc-world';
import { openChromium, type HeadlessChromium } from '../../helpers/chromium';
import { startSandboxProcess, type SandboxProcess } from '../../helpers/sandbox-process';
import { waitFor } from '../../helpers/wait-for';
import { startWorkerProcess, testWorkerEnv, type WorkerProcess } from '../../helpers/worker-process';

const ARTIFACTS = path.resolve(__dirname, '../../../test-artifacts');
// This file owns ids 970000-979999 and integration 97 on the captured database.
const BASE = 970_000;
const INTEGRATION = 97;
const P_CAMERA = BASE + 1;
const PLAN = BASE + 1;
const FAILING = BASE + 1;
const INVALID = BASE + 2;
const TIMEOUT = 120_000;

/**
 * The status page of a real running worker (`ixc-iot-sync start` as its own process) in Debian's
 * Chromium. The platform refuses customer creation (503), so one contract stays in the backlog
 * with its failure listed; another has an invalid CPF and is parked. The page must show what the
 * worker measures: connector state, lag per live topic, backlog, parked, API calls.
 */
describe('status page of a running worker', () => {
  const config = cdcConfig();
  const syncSchema = `ixc_iot_sync_page_${randomBytes(3).toString('hex')}`;
  const groupId = randomGroupId('ops-page-worker');
  let conn: mysql.Connection;
  let world: IxcWorld;
  let sandbox: SandboxProcess;
  let worker: WorkerProcess;
  let browser: HeadlessChromium | undefined;
  let page: Page;

  beforeAll(async () => {
    conn = await cdcDatabase();
    world = createIxcWorld(conn, BASE, INTEGRATION);
    sandbox = await startSandboxProcess();
    await sandbox.admin.setFault('POST /customers', { errorRate: 1, errorStatus: 503 });
    await world.clean();
    await world.integration(sandbox.clientId, sandbox.clientSecret);
    await world.product(P_CAMERA, 'Câmera IoT (page)', 'OLLI-CAMERA');
    await world.plan(PLAN, 'FIBRA (page)');
    worker = await startWorkerProcess(
      testWorkerEnv({ sandbox, tenant: `pg${randomBytes(3).toString('hex')}`, integration: INTEGRATION, syncSchema, groupId }, { IOT_RETRY_ATTEMPTS: '1', LOG_LEVEL: 'warn' }),
    );
    await world.customer(FAILING);
    await world.customer(INVALID, { cnpj_cpf: '111.111.111-11' });
    for (const contract of [FAILING, INVALID]) {
      await world.contract(contract, { id_cliente: contract, id_vd_contrato: PLAN });
      await world.line(contract + 10, { id_contrato: contract, id_produto: P_CAMERA, qtde: 1 });
    }
    browser = await openChromium({ width: 1280, height: 1300 });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    const code = await worker?.stop();
    await sandbox?.stop();
    await world?.clean().catch(() => undefined);
    await conn?.query(`DROP DATABASE IF EXISTS \`${syncSchema}\``);
    await conn?.end();
    expect(code).toBe(0);
  });

  it('shows the worker\'s connector state, lag per topic, backlog, parked contracts and failing API calls', async () => {
    // Wait until the worker itself has seen the failure and the park (its own status document).
    const doc = await waitFor(
      async () => {
        const s = (await (await fetch(`${worker.opsUrl}/status.json`)).json()) as StatusDocument;
        const failing = s.workSet.recentFailures.some((f) => f.contractId === FAILING && f.parkedReason === null);
        return failing && (s.workSet.parkedByReason.invalid_customer ?? 0) >= 1 && s.workSet.backlog >= 1 && s.lag.ok ? s : null;
      },
      { timeoutMs: TIMEOUT, intervalMs: 500, what: 'the worker to report the failing and the parked contract' },
    );

    await page.goto(worker.opsUrl);
    await waitFor(async () => (await page.locator('#connector-state').textContent()) === 'RUNNING', { timeoutMs: 30_000, what: 'the connector state on the page' });
    await waitFor(async () => Number(await page.locator('#backlog').textContent()) >= 1, { timeoutMs: 30_000, what: 'the backlog on the page' });

    // One lag row per live topic, with the offsets the worker measured (never below what it reported before).
    for (const topic of liveTopics(config)) {
      const cells = await page.locator(`#lag tr[data-key="${topic}/0"] td`).allTextContents();
      expect(cells[0]).toBe(topic);
      const measured = doc.lag.partitions.find((p) => p.topic === topic && p.partition === 0);
      expect(measured).toBeDefined();
      expect(Number(cells[3])).toBeGreaterThanOrEqual(Number(measured!.highWatermark));
      expect(Number(cells[4])).toBe(Number(cells[3]) - Number(cells[2] === 'none' ? 0 : cells[2]));
    }
    expect(await page.locator('#parked').textContent()).toContain('invalid_customer');
    expect(await page.locator('#failures').textContent()).toContain(String(FAILING));
    const api = await page.locator('#api').textContent();
    expect(api).toContain('POST /customers');
    expect(api).toContain('503');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'status-page-worker.png'), fullPage: true });
  });
});
