import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { checkGrants } from '../../../src/ops/doctor-database-checks';
import { workerGrantStatements } from '../../../src/ops/grants';
import { runCli } from '../../helpers/reconcile-cli';
import { createTestDatabase, testDatabaseEnv, TEST_DB_SERVER, type TestDatabase } from '../../helpers/test-database';

/**
 * Least privilege: `start` runs no DDL unless asked, and a dedicated worker user with exactly the
 * README's grants is what `doctor` accepts without a warning (root is warned about).
 */
describe('least privilege', () => {
  let t: TestDatabase;
  const user = `w_${randomBytes(4).toString('hex')}`;
  const password = `wp-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    t = await createTestDatabase();
  });

  afterAll(async () => {
    await t.admin.query(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => undefined);
    await t.drop();
  });

  const schemaExists = async (): Promise<boolean> => {
    const [rows] = await t.admin.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [t.db.syncSchema]);
    return (rows as unknown[]).length > 0;
  };

  it('start on an unmigrated database refuses, names `migrate`, and creates nothing', async () => {
    const { code, stderr } = await runCli(['start', '--ops-port', '0'], testDatabaseEnv(t.db, {
      IOT_BASE_URL: 'http://127.0.0.1:1', IOT_TENANT_ID: 'lp', KAFKA_BROKERS: '127.0.0.1:1', LOG_LEVEL: 'error',
    }));
    expect(code).not.toBe(0);
    expect(stderr).toContain('the database schema is not up to date');
    expect(stderr).toContain('run `ixc-iot-sync migrate` as a user with DDL grants, or start with --migrate (MIGRATE_ON_START=true)');
    expect(await schemaExists()).toBe(false);
  });

  it("a user with exactly the README's grants passes doctor's grant checks; root is warned about", async () => {
    await runMigrations(t.db);
    await t.admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    for (const statement of workerGrantStatements(t.db.ixcDatabase, t.db.syncSchema, `'${user}'@'%'`)) await t.admin.query(statement);

    const verdicts = async (connection: mysql.Connection) => {
      const results = await checkGrants({
        query: async (sql, params) => (await connection.query(sql, params))[0],
        ixcDatabase: t.db.ixcDatabase,
        syncSchema: t.db.syncSchema,
        connectorUser: null,
        connectorReadsThisServer: null,
      });
      return Object.fromEntries(results.map((r) => [r.name, r.status]));
    };
    const worker = await mysql.createConnection({ host: TEST_DB_SERVER.host, port: TEST_DB_SERVER.port, user, password });
    try {
      expect(await verdicts(worker)).toMatchObject({ 'worker grants': 'ok', 'worker least privilege': 'ok' });
      // And the worker user cannot run DDL.
      await expect(worker.query(`CREATE TABLE \`${t.db.syncSchema}\`.x (id int)`)).rejects.toThrow(/denied/);
    } finally {
      await worker.end();
    }
    expect(await verdicts(t.admin)).toMatchObject({ 'worker grants': 'ok', 'worker least privilege': 'warn' });
  });
});
