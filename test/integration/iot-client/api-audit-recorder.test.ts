import type { DataSource } from 'typeorm';
import { createAppDataSource } from '../../../src/entities/create-data-source';
import { createApiAuditRecorder, type ApiAuditEntry } from '../../../src/iot-client/api-audit-recorder';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database';

const entry = (i: number): ApiAuditEntry => ({
  at: new Date(),
  contractId: i,
  method: 'GET',
  path: `/customers?document=1234567890${i % 10}`,
  endpoint: 'GET /customers',
  status: 200,
  durationMs: 3,
  attempt: 1,
});

describe('API audit recorder against MariaDB', () => {
  let testDb: TestDatabase;
  let dataSource: DataSource;
  let app: ReturnType<typeof createAppDataSource>;

  beforeAll(async () => {
    testDb = await createTestDatabase({ seed: false });
    await runMigrations(testDb.db);
    app = createAppDataSource(testDb.db);
    dataSource = app.dataSource;
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await testDb?.drop();
  });

  const auditRows = async () =>
    (await testDb.admin.query(`SELECT contract_id AS id FROM \`${testDb.db.syncSchema}\`.api_audit ORDER BY contract_id`))[0] as Array<{ id: number }>;

  it('reconciles that flush together share one INSERT, and every row is written exactly once', async () => {
    const audit = createApiAuditRecorder({ dataSource, entity: app.sync.ApiAudit });
    // A flush returns the number of rows its INSERT wrote.
    audit.record(entry(1));
    const first = audit.flush();
    await Promise.resolve(); // the first flush has started: it writes row 1 only
    audit.record(entry(2));
    const second = audit.flush(); // queued behind the first
    audit.record(entry(3));
    const third = audit.flush(); // shares the queued one
    audit.record(entry(4));
    expect(third).toBe(second);
    expect(await first).toBe(1);
    expect(await second).toBe(3);
    expect(await third).toBe(3);
    audit.record(entry(5));
    expect(await audit.flush()).toBe(1);
    expect(await audit.flush()).toBe(0);
    expect((await auditRows()).map((r) => Number(r.id))).toEqual([1, 2, 3, 4, 5]);
  });
});
