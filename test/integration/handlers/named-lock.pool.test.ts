import type { DataSource, QueryRunner } from 'typeorm';
import { createAppDataSource } from '../../../src/entities/create-data-source';
import { PoolWaitTimeoutError } from '../../../src/entities/errors';
import { createReconcileSlots, type ReconcileSlots } from '../../../src/handlers/reconcile-slots';
import { customerLockName } from '../../../src/handlers/apply/ensure-customer';
import { withNamedLock } from '../../../src/handlers/store/named-lock';
import { createWorkSet } from '../../../src/handlers/work-set/work-set';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { createIxcWorld, makeCpf } from '../../helpers/ixc-world';
import { createReconcileWorld, sandboxObjects, type ReconcileWorld } from '../../helpers/reconcile-harness';
import { startSandboxProcess, type SandboxProcess } from '../../helpers/sandbox-process';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database';
import { waitFor } from '../../helpers/wait-for';

// Real MariaDB and the sandbox process: jest's 5 s default is too short.
jest.setTimeout(120_000);

const timeoutError = (): Error => new Error('lock timeout');

describe('named locks and the pool (real MariaDB)', () => {
  let t: TestDatabase;
  const open: DataSource[] = [];
  const dataSource = async (poolSize: number, poolWaitMs?: number): Promise<DataSource> => {
    const { dataSource: ds } = createAppDataSource({ ...t.db, poolSize, ...(poolWaitMs !== undefined ? { poolWaitMs } : {}) });
    await ds.initialize();
    open.push(ds);
    return ds;
  };
  const lockHolder = async (name: string): Promise<number | null> => {
    const [rows] = await t.admin.query('SELECT IS_USED_LOCK(?) AS holder', [name]);
    const holder = (rows as Array<{ holder: number | string | null }>)[0]?.holder;
    return holder === null || holder === undefined ? null : Number(holder);
  };

  beforeAll(async () => {
    t = await createTestDatabase({ seed: false });
    await runMigrations(t.db);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((ds) => ds.destroy()));
  });
  afterAll(async () => t.drop());

  it('runs the queries under a lock, and a nested lock, on the lock connection: one connection is enough', async () => {
    const ds = await dataSource(1, 2000);
    const seen = await withNamedLock(ds, { name: 'pool-test:outer', timeoutSeconds: 5, timeoutError }, async (outer) =>
      withNamedLock(outer, { name: 'pool-test:inner', timeoutSeconds: 5, timeoutError }, async (inner) => {
        const [row] = (await inner.query('SELECT CONNECTION_ID() AS id')) as Array<{ id: number | string }>;
        await inner.transaction(async (tx) => tx.query('SELECT 1'));
        return { connection: Number(row?.id), outer: await lockHolder('pool-test:outer'), inner: await lockHolder('pool-test:inner') };
      }),
    );
    expect(seen.outer).toBe(seen.connection);
    expect(seen.inner).toBe(seen.connection);
    expect(await lockHolder('pool-test:outer')).toBeNull();
    expect(await lockHolder('pool-test:inner')).toBeNull();
  });

  it('a failed RELEASE_LOCK destroys the connection instead of pooling it with the lock held', async () => {
    const ds = await dataSource(1, 2000);
    const name = 'pool-test:release-fails';
    // The release statement fails on a live connection (as a KILL QUERY or a statement time
    // limit would make it fail); the lock stays held by that session.
    const createQueryRunner = ds.createQueryRunner.bind(ds);
    ds.createQueryRunner = ((...args: Parameters<DataSource['createQueryRunner']>) => {
      const runner = createQueryRunner(...args);
      const query = runner.query.bind(runner);
      runner.query = ((sql: string, parameters?: unknown[]) =>
        sql.includes('RELEASE_LOCK') ? Promise.reject(new Error('Query execution was interrupted')) : query(sql, parameters)) as QueryRunner['query'];
      return runner;
    }) as DataSource['createQueryRunner'];
    let lockConnection = 0;
    await withNamedLock(ds, { name, timeoutSeconds: 5, timeoutError }, async () => {
      lockConnection = (await lockHolder(name)) ?? 0;
    });
    expect(lockConnection).toBeGreaterThan(0);
    // The session that held the lock is gone, so the lock is free and the pool's next connection is another one.
    await waitFor(async () => (await lockHolder(name)) === null, { timeoutMs: 5000, what: 'the lock to be freed with its connection' });
    const [row] = (await ds.query('SELECT CONNECTION_ID() AS id, IS_USED_LOCK(?) AS holder', [name])) as Array<{ id: number | string; holder: unknown }>;
    expect(Number(row?.id)).not.toBe(lockConnection);
    expect(row?.holder).toBeNull();
  });

  it('a starved pool wait fails with PoolWaitTimeoutError after IXC_DB_POOL_WAIT_MS instead of hanging, and leaks nothing', async () => {
    const ds = await dataSource(1, 300);
    const holder = ds.createQueryRunner();
    await holder.connect();
    const started = Date.now();
    await expect(ds.query('SELECT 1')).rejects.toBeInstanceOf(PoolWaitTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await holder.release();
    // The abandoned request's connection went back to the pool: later queries all get one.
    for (let i = 0; i < 3; i += 1) expect(await ds.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});

describe('reconcile slots as many as the pool connections (real MariaDB, sandbox)', () => {
  let sandbox: SandboxProcess;
  let w: ReconcileWorld;
  beforeAll(async () => {
    // A longer start bound than the harness's: on a loaded machine ts-node alone can take 30 s.
    sandbox = await startSandboxProcess({ startTimeoutMs: 120_000 });
  });
  afterAll(async () => sandbox?.stop());
  beforeEach(async () => {
    await sandbox.admin.reset({ keepCatalog: true });
    w = await createReconcileWorld(sandbox);
  });
  afterEach(async () => {
    await sandbox.admin.clearFaults();
    await w?.close();
  });

  it('finish when every slot sits in a customer find-or-create at once (no pool deadlock)', async () => {
    const slotsCount = 4;
    const contracts = [5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008];
    await w.t.admin.query(`USE \`${w.t.db.ixcDatabase}\``);
    const ixc = createIxcWorld(w.t.admin, 5000, 1);
    for (const id of contracts) {
      await ixc.customer(id);
      await ixc.contract(id, { id_cliente: id, id_vd_contrato: 0 });
      await ixc.line(id, { id_contrato: id, id_produto: 6, qtde: 1 });
    }
    // Slow customer searches keep every slot inside its customer lock at the same time.
    await sandbox.admin.setFault('GET /customers', { latencyMs: 400 });
    const { dataSource: small } = createAppDataSource({ ...w.t.db, poolSize: slotsCount, poolWaitMs: 60_000 });
    await small.initialize();
    let slots: ReconcileSlots | undefined;
    try {
      const workSet = createWorkSet(small, { syncSchema: w.t.db.syncSchema, leaseMs: 30_000, backoffBaseMs: 200, backoffMaxMs: 2000 });
      slots = createReconcileSlots(
        { dataSource: small, workSet, platform: w.platform },
        { concurrency: slotsCount, pollIntervalMs: 50, maintenanceIntervalMs: 1000, shutdownTimeoutMs: 5000, reconcile: w.options },
      );
      let inFlightPeak = 0;
      slots.events.on('reconcile:success', () => undefined);
      await workSet.mark(contracts.map((contractId) => ({ contractId, priority: 100 })));
      slots.start();
      await waitFor(
        async () => {
          inFlightPeak = Math.max(inFlightPeak, slots?.inFlight() ?? 0);
          const rows = await w.sync(`SELECT COUNT(*) AS n FROM contract_sync WHERE contract_id IN (?) AND dirty = 0`, [contracts]);
          return Number(rows[0]?.n) === contracts.length;
        },
        { timeoutMs: 30_000, intervalMs: 50, what: 'every contract reconciled with as many slots as connections' },
      );
      expect(inFlightPeak).toBe(slotsCount);
    } finally {
      await slots?.stop();
      await small.destroy();
    }
    const platform = await sandboxObjects(sandbox);
    expect(platform.customers).toHaveLength(contracts.length);
    expect(await w.ixc(`SELECT COUNT(*) AS n FROM licencas_iot WHERE id_contrato IN (?)`, [contracts])).toEqual([{ n: contracts.length }]);
  });

  it('holds the customer lock under a name without the CPF (SHOW PROCESSLIST, lock tables)', async () => {
    const contract = 5101;
    await w.t.admin.query(`USE \`${w.t.db.ixcDatabase}\``);
    const ixc = createIxcWorld(w.t.admin, 5100, 1);
    await ixc.customer(contract);
    await ixc.contract(contract, { id_cliente: contract, id_vd_contrato: 0 });
    await ixc.line(contract, { id_contrato: contract, id_produto: 6, qtde: 1 });
    const digits = makeCpf(contract).replace(/\D/g, '');
    const hashed = customerLockName(w.t.db.syncSchema, w.options.tenantId, digits);
    await sandbox.admin.setFault('GET /customers', { latencyMs: 1500, remaining: 1 });
    const running = w.reconcileNow(contract);
    const seen = { raw: false, hashed: false };
    await waitFor(
      async () => {
        const [rows] = await w.t.admin.query('SELECT IS_USED_LOCK(?) AS raw, IS_USED_LOCK(?) AS hashed', [`${w.t.db.syncSchema}:customer:${digits}`, hashed]);
        const row = (rows as Array<{ raw: unknown; hashed: unknown }>)[0];
        seen.raw ||= row?.raw !== null;
        seen.hashed ||= row?.hashed !== null;
        return seen.raw || seen.hashed;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: 'the customer lock to be held' },
    );
    await running;
    expect(seen).toEqual({ raw: false, hashed: true });
  });
});
