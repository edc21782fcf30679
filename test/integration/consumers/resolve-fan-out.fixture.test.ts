import mysql from 'mysql2/promise';
import { emptyFanOutPlan } from '../../../src/consumers/fan-out-plan';
import { resolveFanOut } from '../../../src/consumers/mark-batch';
import { MARK_PRIORITY } from '../../../src/handlers/work-set/work-set-mark';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database';

describe('resolveFanOut on the IXC fixture', () => {
  let t: TestDatabase;
  let conn: mysql.Connection;
  const query = async (sql: string, params?: unknown[]) => (await conn.query(sql, params))[0];

  beforeAll(async () => {
    t = await createTestDatabase();
    await runMigrations(t.db);
    const { host, port, user, password } = t.db;
    conn = await mysql.createConnection({ host, port, user, password, database: t.db.ixcDatabase });
  });
  afterAll(async () => {
    await conn.end();
    await t.drop();
  });

  it('expands plans, products, customers and deleted lines into sorted contract marks', async () => {
    const plan = emptyFanOutPlan();
    plan.plans.set(2, MARK_PRIORITY.fanOut); // FIBRA 600 + Casa: contracts 1, 4, 5
    plan.customers.set(3, MARK_PRIORITY.fanOut); // customer 3: contracts 3 and 10
    plan.contracts.set(4, MARK_PRIORITY.live);
    const marks = await resolveFanOut(query, plan);
    expect(marks).toEqual([
      { contractId: 1, priority: MARK_PRIORITY.fanOut },
      { contractId: 3, priority: MARK_PRIORITY.fanOut },
      { contractId: 4, priority: MARK_PRIORITY.live },
      { contractId: 5, priority: MARK_PRIORITY.fanOut },
      { contractId: 10, priority: MARK_PRIORITY.fanOut },
    ]);
  });

  it('finds every contract holding a product on its own or its plan lines', async () => {
    const [rows] = await conn.query(`SELECT id FROM produtos WHERE id_sva_pacote = 'OLLI-SENSOR-PORTA'`);
    const sensor = (rows as Array<{ id: number }>)[0]!.id;
    const plan = emptyFanOutPlan();
    plan.products.set(sensor, MARK_PRIORITY.fanOut);
    const ids = (await resolveFanOut(query, plan)).map((m) => m.contractId);
    // Sensor: own line of contract 1 and 7, plan 3's line (contracts 3 and 6) — see fixtures/ixc/README.md §2.
    expect(ids).toEqual([1, 3, 6, 7]);
  });

  it('resolves a deleted line through licencas_produtos_iot', async () => {
    await conn.query(`INSERT INTO licencas_iot (id, id_contrato, status) VALUES (500, 9, 'A')`);
    await conn.query(`INSERT INTO licencas_produtos_iot (id_licenca_iot, id_vd_contrato_produto, quantidade) VALUES (500, 777, 1)`);
    const plan = emptyFanOutPlan();
    plan.deletedLines.set(777, MARK_PRIORITY.live);
    plan.deletedLines.set(778, MARK_PRIORITY.live);
    expect(await resolveFanOut(query, plan)).toEqual([{ contractId: 9, priority: MARK_PRIORITY.live }]);
  });
});
