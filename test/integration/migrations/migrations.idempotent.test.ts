import { runMigrations } from '../../../src/migrations/run-migrations';
import { allMigrations } from '../../../src/migrations/all-migrations';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database';

interface ColumnRow {
  TABLE_NAME: string;
  COLUMN_NAME: string;
  COLUMN_TYPE: string;
  IS_NULLABLE: string;
  COLUMN_DEFAULT: string | null;
  EXTRA: string;
}

describe('migrations on an IXC database', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  async function ixcColumns(): Promise<string[]> {
    const [rows] = await t.admin.query(
      `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      [t.db.ixcDatabase],
    );
    return (rows as ColumnRow[]).map((r) => `${r.TABLE_NAME}.${r.COLUMN_NAME} ${r.COLUMN_TYPE} ${r.IS_NULLABLE} ${r.COLUMN_DEFAULT} ${r.EXTRA}`);
  }

  async function tableStamps(): Promise<Record<string, string>> {
    const [rows] = await t.admin.query(
      `SELECT TABLE_NAME AS name, CREATE_TIME AS created FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`,
      [t.db.ixcDatabase],
    );
    return Object.fromEntries((rows as Array<{ name: string; created: string }>).map((r) => [r.name, String(r.created)]));
  }

  it('creates the IoT tables, leaves every other IXC table as it was, and a second run changes nothing', async () => {
    const before = await ixcColumns();
    const stampsBefore = await tableStamps();

    const first = await runMigrations(t.db);
    expect(first.applied).toHaveLength(allMigrations(t.db).length);

    const afterFirst = await ixcColumns();
    const added = afterFirst.filter((c) => !before.includes(c));
    const addedTables = new Set(added.map((c) => c.split('.')[0]));
    expect([...addedTables].sort()).toEqual(['integracoes_iot', 'licencas_iot', 'licencas_produtos_iot']);
    // Nothing that existed before was changed or removed.
    expect(before.filter((c) => !afterFirst.includes(c))).toEqual([]);
    const stampsAfter = await tableStamps();
    for (const [table, created] of Object.entries(stampsBefore)) expect(stampsAfter[table]).toBe(created);

    const [syncTables] = await t.admin.query(`SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1`, [
      t.db.syncSchema,
    ]);
    expect((syncTables as Array<{ name: string }>).map((r) => r.name)).toEqual([
      'api_audit',
      'contract_sync',
      'customer_sync',
      'licence_sync',
      'maintenance_runs',
      'schema_migrations',
      'source_change',
      'worker_heartbeat',
    ]);
    // The migrations table lives in the project schema, not in IXC's database.
    expect(Object.keys(stampsAfter)).not.toContain('schema_migrations');

    const second = await runMigrations(t.db);
    expect(second.applied).toEqual([]);
    expect(await ixcColumns()).toEqual(afterFirst);
    expect(await tableStamps()).toEqual(stampsAfter);
  });

  it('keeps IoT tables that IXC already has, and their rows', async () => {
    await t.admin.query(`INSERT INTO \`${t.db.ixcDatabase}\`.licencas_iot (id_contrato, status) VALUES (1, 'A')`);
    await t.admin.query(`DELETE FROM \`${t.db.syncSchema}\`.schema_migrations`);
    const rerun = await runMigrations(t.db);
    expect(rerun.applied).toHaveLength(allMigrations(t.db).length);
    const [rows] = await t.admin.query(`SELECT id_contrato, status FROM \`${t.db.ixcDatabase}\`.licencas_iot`);
    expect(rows).toEqual([{ id_contrato: 1, status: 'A' }]);
  });
});
