import { DataSource } from 'typeorm';
import { licenceSpellingMigration } from '../../../src/migrations/m0009-licence-spelling';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database';

// Issue 17: the project's own names spell "licence". Migration m0009 renames what an older
// version created (table, column, index, stored park reason) and keeps every row.
describe('migration m0009: licence spelling', () => {
  let t: TestDatabase;
  const MIGRATION = 'LicenceSpelling1764390000009';

  beforeAll(async () => {
    t = await createTestDatabase({ seed: false });
  });
  afterAll(async () => {
    await t.drop();
  });

  const s = (): string => `\`${t.db.syncSchema}\``;
  const names = async (sql: string, params: unknown[]): Promise<string[]> =>
    ((await t.admin.query(sql, [t.db.syncSchema, ...params]))[0] as Array<{ name: string }>).map((r) => r.name);
  const tables = () => names(`SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE ? ORDER BY 1`, ['licen%']);
  const indexes = (table: string) => names(`SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY 1`, [table]);

  it('renames the old table, column, index and park reason, keeping the rows, once; down restores them', async () => {
    await runMigrations(t.db);
    // The schema and rows as an older version left them.
    await t.admin.query(`RENAME TABLE ${s()}.licence_sync TO ${s()}.license_sync`);
    await t.admin.query(`ALTER TABLE ${s()}.license_sync RENAME COLUMN licence_ref TO license_ref, RENAME INDEX idx_licence_sync_status TO idx_license_sync_status`);
    await t.admin.query(`DELETE FROM ${s()}.schema_migrations WHERE name = ?`, [MIGRATION]);
    await t.admin.query(`INSERT INTO ${s()}.license_sync (contract_id, platform_product_id, epoch, license_ref, status, quantity) VALUES (7, 'P1', 1, 'L-1', 'active', 2)`);
    await t.admin.query(`INSERT INTO ${s()}.contract_sync (contract_id, parked_reason) VALUES (7, 'license_limit'), (8, 'invalid_customer')`);

    expect((await runMigrations(t.db)).applied).toEqual([MIGRATION]);
    expect(await tables()).toEqual(['licence_sync']);
    expect(await indexes('licence_sync')).toEqual(['idx_licence_sync_status', 'PRIMARY']);
    const [rows] = await t.admin.query(`SELECT contract_id, platform_product_id, licence_ref, status, quantity FROM ${s()}.licence_sync`);
    expect(rows).toEqual([{ contract_id: 7, platform_product_id: 'P1', licence_ref: 'L-1', status: 'active', quantity: 2 }]);
    const [reasons] = await t.admin.query(`SELECT contract_id, parked_reason FROM ${s()}.contract_sync ORDER BY contract_id`);
    expect(reasons).toEqual([
      { contract_id: 7, parked_reason: 'licence_limit' },
      { contract_id: 8, parked_reason: 'invalid_customer' },
    ]);

    // Run again (stamp lost): nothing to rename, nothing changes.
    await t.admin.query(`DELETE FROM ${s()}.schema_migrations WHERE name = ?`, [MIGRATION]);
    expect((await runMigrations(t.db)).applied).toEqual([MIGRATION]);
    expect(await tables()).toEqual(['licence_sync']);

    const Down = licenceSpellingMigration(t.db);
    const ds = new DataSource({ type: 'mysql', host: t.db.host, port: t.db.port, username: t.db.user, password: t.db.password, database: t.db.syncSchema });
    await ds.initialize();
    try {
      const runner = ds.createQueryRunner();
      await new Down().down(runner);
      await runner.release();
    } finally {
      await ds.destroy();
    }
    expect(await tables()).toEqual(['license_sync']);
    const [old] = await t.admin.query(`SELECT license_ref FROM ${s()}.license_sync`);
    expect(old).toEqual([{ license_ref: 'L-1' }]);
  });
});
