import { documentKey } from '../../../src/handlers/domain/document-key';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database';

// Issue 14: the project's own tables keep a document's key, never the CPF/CNPJ. Migration m0008
// converts what an older version stored in clear, in SQL, to the key the worker computes.
describe('migration m0008: document keys', () => {
  let t: TestDatabase;
  const CPF = '21111496323';
  const CNPJ = '12ABC34501DE35';

  beforeAll(async () => {
    t = await createTestDatabase({ seed: false });
  });
  afterAll(async () => {
    await t.drop();
  });

  async function column(table: string, name: string): Promise<string> {
    const [rows] = await t.admin.query(`SELECT COLUMN_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?`, [
      t.db.syncSchema,
      table,
      name,
    ]);
    return (rows as Array<{ type: string }>)[0]?.type ?? '';
  }

  it('turns the clear documents an older version stored into the keys the worker computes, once', async () => {
    await runMigrations(t.db);
    expect(await column('customer_sync', 'document')).toBe('char(64)');
    expect(await column('contract_sync', 'owner_document')).toBe('char(64)');

    // The schema and rows as they were before m0008.
    const s = `\`${t.db.syncSchema}\``;
    await t.admin.query(`ALTER TABLE ${s}.customer_sync MODIFY COLUMN document varchar(14) DEFAULT NULL`);
    await t.admin.query(`ALTER TABLE ${s}.contract_sync MODIFY COLUMN owner_document varchar(14) DEFAULT NULL`);
    await t.admin.query(`DELETE FROM ${s}.schema_migrations WHERE name = 'DocumentKeys1764390000008'`);
    await t.admin.query(`INSERT INTO ${s}.customer_sync (cliente_id, document, customer_ref) VALUES (1, ?, 'C1'), (2, ?, 'C2'), (3, NULL, 'C3')`, [CPF, CNPJ]);
    await t.admin.query(`INSERT INTO ${s}.contract_sync (contract_id, owner_cliente_id, owner_document) VALUES (10, 1, ?), (11, 2, ?), (12, NULL, NULL)`, [CPF, CNPJ]);

    expect((await runMigrations(t.db)).applied).toEqual(['DocumentKeys1764390000008']);
    const customers = async () => (await t.admin.query(`SELECT cliente_id, document FROM ${s}.customer_sync ORDER BY cliente_id`))[0];
    const owners = async () => (await t.admin.query(`SELECT contract_id, owner_document FROM ${s}.contract_sync ORDER BY contract_id`))[0];
    const expectedCustomers = [
      { cliente_id: 1, document: documentKey(CPF) },
      { cliente_id: 2, document: documentKey(CNPJ) },
      { cliente_id: 3, document: null },
    ];
    const expectedOwners = [
      { contract_id: 10, owner_document: documentKey(CPF) },
      { contract_id: 11, owner_document: documentKey(CNPJ) },
      { contract_id: 12, owner_document: null },
    ];
    expect(await customers()).toEqual(expectedCustomers);
    expect(await owners()).toEqual(expectedOwners);

    // Run again (schema_migrations lost): keys are not hashed a second time.
    await t.admin.query(`DELETE FROM ${s}.schema_migrations WHERE name = 'DocumentKeys1764390000008'`);
    await runMigrations(t.db);
    expect(await customers()).toEqual(expectedCustomers);
    expect(await owners()).toEqual(expectedOwners);
  });
});
