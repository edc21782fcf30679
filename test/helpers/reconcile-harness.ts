import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { createAppDataSource } from '../../src/entities/create-data-source';
import { createReconcileSlots, type ReconcileSlots, type ReconcileSlotsOptions } from '../../src/handlers/reconcile-slots';
import { reconcileContract, type ReconcileDeps, type ReconcileOptions, type ReconcileResult } from '../../src/handlers/reconcile-contract';
import { createWorkSet, type WorkSet } from '../../src/handlers/work-set/work-set';
import { createIotPlatformClient, type IotPlatformClient } from '../../src/iot-client/iot-platform-client';
import { createMemoryTokenStore } from '../../src/iot-client/token-store';
import { runMigrations } from '../../src/migrations/run-migrations';
import { startSandboxProcess, type SandboxProcess } from './sandbox-process';
import { createTestDatabase, type TestDatabase } from './test-database';
import { waitFor } from './wait-for';

export const TENANT = '12345678000199';
/** The seed's IoT products and the sandbox catalogue ids they are linked to. */
export const PRODUCT_LINKS: Readonly<Record<number, string>> = { 5: 'OLLI-CASA-INTELIGENTE', 6: 'OLLI-CAMERA', 7: 'OLLI-SENSOR-PORTA' };

export interface ReconcileWorld {
  t: TestDatabase;
  dataSource: DataSource;
  workSet: WorkSet;
  platform: IotPlatformClient;
  options: ReconcileOptions;
  deps: ReconcileDeps;
  /** SQL on the IXC database (admin connection). */
  ixc(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** SQL on the sync schema (admin connection). */
  sync(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Marks, claims and reconciles exactly these contracts in this process; returns each result. */
  reconcileNow(...contractIds: number[]): Promise<ReconcileResult[]>;
  /** Runs slots until every given contract is clean or parked. */
  converge(contractIds: number[], slotOptions?: Partial<ReconcileSlotsOptions>, timeoutMs?: number): Promise<void>;
  slots(options?: Partial<ReconcileSlotsOptions>): ReconcileSlots;
  close(): Promise<void>;
}

/**
 * A fresh IXC database (fixture) with its IoT products linked to the sandbox catalogue, the
 * project schema migrated, and a real HTTP client to the sandbox process.
 */
export async function createReconcileWorld(sandbox: SandboxProcess, overrides: Partial<ReconcileOptions> = {}, leaseMs = 30_000): Promise<ReconcileWorld> {
  const t = await createTestDatabase();
  await runMigrations(t.db);
  const db = t.db.ixcDatabase;
  await t.admin.query(`INSERT INTO \`${db}\`.integracoes_iot (id, integracao) VALUES (1, 'olli')`);
  for (const [id, pid] of Object.entries(PRODUCT_LINKS)) {
    await t.admin.query(`UPDATE \`${db}\`.produtos SET id_integracao_iot = 1, id_produto_iot = ? WHERE id = ?`, [pid, Number(id)]);
  }
  const { dataSource } = createAppDataSource(t.db);
  await dataSource.initialize();
  const workSet = createWorkSet(dataSource, { syncSchema: t.db.syncSchema, leaseMs, backoffBaseMs: 200, backoffMaxMs: 2000 });
  const platform = createIotPlatformClient(
    { tokenStore: createMemoryTokenStore({ clientId: sandbox.clientId, clientSecret: sandbox.clientSecret }) },
    { baseUrl: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret, maxAttempts: 2, backoffBaseMs: 50, backoffMaxMs: 200, readTimeoutMs: 5000, breakerResetTimeoutMs: 1000 },
  );
  const options: ReconcileOptions = {
    tenantId: TENANT,
    integrationId: 1,
    negativadoPolicy: 'suspend',
    overduePolicy: 'suspend',
    blastRadiusThreshold: 50,
    customerLockTimeoutSeconds: 10,
    ...overrides,
  };
  const deps: ReconcileDeps = { dataSource, workSet, platform };
  const query = async (schema: string, sql: string, params: unknown[] = []) => {
    await t.admin.query(`USE \`${schema}\``);
    const [rows] = await t.admin.query(sql, params);
    return rows as Array<Record<string, unknown>>;
  };
  const running: ReconcileSlots[] = [];
  const world: ReconcileWorld = {
    t,
    dataSource,
    workSet,
    platform,
    options,
    deps,
    ixc: (sql, params) => query(db, sql, params),
    sync: (sql, params) => query(t.db.syncSchema, sql, params),
    async reconcileNow(...contractIds) {
      await workSet.mark(contractIds.map((contractId) => ({ contractId, priority: 100 })));
      const claims = await workSet.claim('test-direct', contractIds.length);
      const results: ReconcileResult[] = [];
      for (const claim of claims) {
        const result = await reconcileContract(deps, claim, options, new AbortController().signal);
        if (result.plan.park) await workSet.fail(claim, { kind: 'park', reason: result.plan.park.reason, detail: result.plan.park.detail });
        results.push(result);
      }
      return results;
    },
    slots(slotOptions = {}) {
      const slots = createReconcileSlots(deps, { concurrency: 2, pollIntervalMs: 50, maintenanceIntervalMs: 1000, shutdownTimeoutMs: 5000, ...slotOptions, reconcile: options });
      running.push(slots);
      return slots;
    },
    async converge(contractIds, slotOptions = {}, timeoutMs = 30_000) {
      await workSet.mark(contractIds.map((contractId) => ({ contractId, priority: 100 })));
      const slots = world.slots(slotOptions);
      slots.start();
      try {
        await waitFor(
          async () => {
            const rows = await world.sync(`SELECT COUNT(*) AS n FROM contract_sync WHERE contract_id IN (?) AND dirty = 1 AND parked_reason IS NULL`, [contractIds]);
            return Number(rows[0]?.n) === 0;
          },
          { timeoutMs, what: `${contractIds.length} contract(s) ${contractIds.slice(0, 10).join(',')} to converge` },
        );
      } finally {
        await slots.stop();
      }
    },
    async close() {
      await Promise.all(running.map((s) => s.stop()));
      platform.close();
      await dataSource.destroy();
      await t.drop();
    },
  };
  return world;
}

/** Sandbox objects as the admin API returns them (snake_case wire shapes). */
export interface SandboxObjects {
  customers: Array<{ id: string; document: string; external_id: string | null }>;
  subscriptions: Array<{ id: string; customer_id: string; external_id: string; status: string }>;
  licences: Array<{ id: string; code: string; subscription_id: string; external_id: string; status: string; items: Array<{ product_id: string; quantity: number }> }>;
}

export async function sandboxObjects(sandbox: SandboxProcess): Promise<SandboxObjects> {
  return (await sandbox.admin.state()) as unknown as SandboxObjects;
}

/**
 * The hooks every reconcile test file shares: one sandbox process per file, a fresh world (own
 * databases, catalogue kept) per test, faults cleared and the world closed after it. `bind`
 * receives both before each test.
 */
export function useReconcileWorld(bind: (sandbox: SandboxProcess, world: ReconcileWorld) => void): void {
  let sandbox: SandboxProcess;
  let world: ReconcileWorld | undefined;
  beforeAll(async () => {
    sandbox = await startSandboxProcess();
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  beforeEach(async () => {
    await sandbox.admin.reset({ keepCatalog: true });
    world = await createReconcileWorld(sandbox);
    bind(sandbox, world);
  });
  afterEach(async () => {
    await sandbox.admin.clearFaults();
    await world?.close();
  });
}
