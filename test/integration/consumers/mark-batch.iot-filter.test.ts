import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { decodeRecords, type RawRecord } from '../../../src/consumers/decode-change-event';
import { markBatch, type MarkBatchResult } from '../../../src/consumers/mark-batch';
import { createAppDataSource } from '../../../src/entities/create-data-source';
import { createWorkSet, type WorkSet } from '../../../src/handlers/work-set/work-set';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database';

/**
 * Issue 18: at 10 % IoT contracts, a snapshot or a billing run must not cost a reconcile per
 * contract. The worker's markBatch (iotOnly) marks a contract only when it has an IoT line now
 * (own or plan line, product linked) or had IoT before (licencas_iot, a provisioned or pending
 * work-set row). Seed contracts (fixtures/ixc/README.md §2) once products 5-7 are linked:
 * IoT 1, 3, 4, 5, 6, 7, 9; no IoT 2, 8, 10.
 */
describe('markBatch marks only contracts that have or had IoT lines', () => {
  let t: TestDatabase;
  let ds: DataSource;
  let ws: WorkSet;
  let offset = 0;
  const topic = (table: string) => `ixc.ixcprovedor.${table}`;
  const record = (table: string, op: 'r' | 'c' | 'u' | 'd', before: object | null, after: object | null): RawRecord => ({
    topic: topic(table),
    partition: 0,
    offset: String((offset += 1)),
    key: Buffer.from(JSON.stringify({ id: ((after ?? before) as { id: number }).id })),
    value: Buffer.from(JSON.stringify({ op, before, after, source: { db: 'ixcprovedor', table, ts_ms: Date.now(), snapshot: op === 'r' ? 'true' : null } })),
  });
  const tombstone = (table: string, id: number): RawRecord => ({
    topic: topic(table),
    partition: 0,
    offset: String((offset += 1)),
    key: Buffer.from(JSON.stringify({ id })),
    value: null,
  });
  const contractRow = async (id: number) => {
    const [rows] = await t.admin.query(`SELECT * FROM \`${t.db.ixcDatabase}\`.cliente_contrato WHERE id = ?`, [id]);
    return (rows as Array<Record<string, unknown>>)[0]!;
  };
  const consume = (records: RawRecord[]): Promise<MarkBatchResult> =>
    markBatch(decodeRecords(records), {
      query: (sql, params) => ds.query(sql, params),
      mark: ws.mark,
      deadLetter: async () => undefined,
      nudge: () => undefined,
      iotOnly: { syncSchema: t.db.syncSchema },
    });
  const dirty = async (): Promise<number[]> => {
    const [rows] = await t.admin.query(`SELECT contract_id FROM \`${t.db.syncSchema}\`.contract_sync WHERE dirty = 1 ORDER BY contract_id`);
    return (rows as Array<{ contract_id: number }>).map((r) => Number(r.contract_id));
  };
  const cleanWorkSet = async () => {
    await t.admin.query(`DELETE FROM \`${t.db.syncSchema}\`.contract_sync`);
    await t.admin.query(`DELETE FROM \`${t.db.ixcDatabase}\`.licencas_iot`);
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    await runMigrations(t.db);
    await t.admin.query(`INSERT INTO \`${t.db.ixcDatabase}\`.integracoes_iot (id, integracao, client_id, client_secret) VALUES (1, 'olli', 'c', 's')`);
    await t.admin.query(`UPDATE \`${t.db.ixcDatabase}\`.produtos SET id_integracao_iot = 1, id_produto_iot = id_sva_pacote WHERE id IN (5, 6, 7)`);
    ds = createAppDataSource(t.db).dataSource;
    await ds.initialize();
    ws = createWorkSet(ds, { syncSchema: t.db.syncSchema });
  });
  afterAll(async () => {
    await ds?.destroy();
    await t?.drop();
  });
  beforeEach(cleanWorkSet);

  it('marks a snapshot of every contract only where an own or plan line is IoT', async () => {
    const rows = await Promise.all(Array.from({ length: 10 }, (_, i) => contractRow(i + 1)));
    const result = await consume(rows.map((row) => record('cliente_contrato', 'r', null, row)));
    expect(await dirty()).toEqual([1, 3, 4, 5, 6, 7, 9]);
    expect(result).toMatchObject({ records: 10, marked: 7, withoutIot: 3 });
  });

  it('still marks a contract that had IoT: licencas_iot rows, a provisioned or a pending work-set row', async () => {
    await t.admin.query(`INSERT INTO \`${t.db.ixcDatabase}\`.licencas_iot (id, id_contrato, status) VALUES (900, 2, 'A')`);
    await t.admin.query(`INSERT INTO \`${t.db.syncSchema}\`.contract_sync (contract_id, dirty, subscription_ref) VALUES (8, 0, 'sub-8')`);
    // A work-set row that never provisioned anything (e.g. from `reconcile --all`) is no reason.
    await t.admin.query(`INSERT INTO \`${t.db.syncSchema}\`.contract_sync (contract_id, dirty, last_outcome) VALUES (10, 0, 'noop')`);
    const changes = [];
    for (const id of [2, 8, 10]) {
      const before = await contractRow(id);
      changes.push(record('cliente_contrato', 'u', before, { ...before, status_internet: 'CA' }));
    }
    const result = await consume(changes);
    expect(await dirty()).toEqual([2, 8]);
    expect(result).toMatchObject({ marked: 2, withoutIot: 1 });

    // Pending (dirty) rows keep taking marks, so an in-flight reconcile is fenced by the new generation.
    await t.admin.query(`UPDATE \`${t.db.syncSchema}\`.contract_sync SET subscription_ref = NULL WHERE contract_id = 8`);
    const before = await contractRow(8);
    expect(await consume([record('cliente_contrato', 'u', before, { ...before, status: 'I' })])).toMatchObject({ marked: 1, withoutIot: 0 });
  });

  it('marks a deleted contract only when it had IoT', async () => {
    await t.admin.query(`INSERT INTO \`${t.db.syncSchema}\`.contract_sync (contract_id, dirty, intent) VALUES (77001, 0, '{}')`);
    const result = await consume([tombstone('cliente_contrato', 77001), tombstone('cliente_contrato', 77002)]);
    expect(await dirty()).toEqual([77001]);
    expect(result).toMatchObject({ marked: 1, withoutIot: 1 });
  });

  it('finds the contracts of a product linked later through the catalogue fan-out', async () => {
    // Product 4 (IP FIXO) is on plan 4's lines: contracts 7 (IoT already) and 8 (none yet).
    const [rows] = await t.admin.query(`SELECT * FROM \`${t.db.ixcDatabase}\`.produtos WHERE id = 4`);
    const before = (rows as Array<Record<string, unknown>>)[0]!;
    expect((await consume([record('cliente_contrato', 'r', null, await contractRow(8))])).marked).toBe(0);
    await t.admin.query(`UPDATE \`${t.db.ixcDatabase}\`.produtos SET id_integracao_iot = 1, id_produto_iot = 'OLLI-IP' WHERE id = 4`);
    try {
      const result = await consume([record('produtos', 'u', before, { ...before, id_integracao_iot: 1, id_produto_iot: 'OLLI-IP' })]);
      expect(await dirty()).toEqual([7, 8]);
      expect(result).toMatchObject({ marked: 2, withoutIot: 0 });
    } finally {
      await t.admin.query(`UPDATE \`${t.db.ixcDatabase}\`.produtos SET id_integracao_iot = NULL, id_produto_iot = NULL WHERE id = 4`);
    }
  });

  it('marks every affected contract when iotOnly is not set (replay and redrive)', async () => {
    const rows = await Promise.all(Array.from({ length: 10 }, (_, i) => contractRow(i + 1)));
    const result = await markBatch(decodeRecords(rows.map((row) => record('cliente_contrato', 'r', null, row))), {
      query: (sql, params) => ds.query(sql, params),
      mark: ws.mark,
      deadLetter: async () => undefined,
      nudge: () => undefined,
    });
    expect(result).toMatchObject({ marked: 10, withoutIot: 0 });
  });
});
