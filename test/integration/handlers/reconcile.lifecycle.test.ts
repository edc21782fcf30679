import { useReconcileWorld, sandboxObjects, TENANT, type ReconcileWorld } from '../../helpers/reconcile-harness';
import type { SandboxProcess } from '../../helpers/sandbox-process';

const CASA = 'OLLI-CASA-INTELIGENTE';
const CAM = 'OLLI-CAMERA';
const SENSOR = 'OLLI-SENSOR-PORTA';


// Real processes and HTTP round trips: jest's 5 s default is too short (testTimeout is not per project).
jest.setTimeout(120_000);
describe('reconcile: lifecycle transitions of the state table against the sandbox process', () => {
  let sandbox: SandboxProcess;
  let w: ReconcileWorld;

  useReconcileWorld((s, world) => {
    sandbox = s;
    w = world;
  });

  /** The contract's subscription on the platform and its live licences by product, plus IXC's letters. */
  async function snapshot(contractId: number) {
    const platform = await sandboxObjects(sandbox);
    const prefix = `ixc:${TENANT}:contrato:${contractId}`;
    const subs = platform.subscriptions.filter((s) => s.external_id === prefix || s.external_id.startsWith(`${prefix}:`));
    const licences = platform.licences.filter((l) => subs.some((s) => s.id === l.subscription_id));
    const live = Object.fromEntries(licences.filter((l) => l.status !== 'revoked').map((l) => [String(l.items[0]?.product_id), l] as const));
    const rows = await w.ixc(`SELECT id_licenca_integracao AS ref, codigo_licenca_integracao AS code, status FROM licencas_iot WHERE id_contrato = ? ORDER BY id`, [contractId]);
    const letters = Object.fromEntries(rows.map((r) => [String(licences.find((l) => l.id === r.ref)?.items[0]?.product_id), r.status] as const));
    return { platform, subs, licences, live, letters, rows };
  }
  const setContract = (id: number, status: string, si: string) => w.ixc(`UPDATE cliente_contrato SET status = ?, status_internet = ? WHERE id = ?`, [status, si, id]);

  it('active → blocked (CM, CA, FA, CE, D, N) → active, not-yet suspends, unknown codes hold', async () => {
    await w.converge([1]);
    let s = await snapshot(1);
    expect(s.subs).toEqual([expect.objectContaining({ status: 'active' })]);
    expect(Object.keys(s.live).sort()).toEqual([CASA, SENSOR]);
    // A device activates the Casa licence; the sensor's stays pending.
    await sandbox.admin.activateLicence(s.live[CASA]!.id);

    for (const [status, si, reason] of [
      ['A', 'CM', 'manual'],
      ['A', 'CA', 'past_due'],
      ['A', 'FA', 'past_due'],
      ['A', 'CE', 'past_due'],
      ['A', 'D', 'manual'],
      ['N', 'A', 'past_due'],
      ['P', 'A', 'other'],
      ['A', 'AA', 'other'],
    ] as const) {
      await setContract(1, status, si);
      await w.converge([1]);
      s = await snapshot(1);
      expect([status, si, s.subs[0]?.status]).toEqual([status, si, 'suspended']);
      expect((s.platform.subscriptions[0] as unknown as { status_reason: string }).status_reason).toBe(reason);
      expect(Object.values(s.live).map((l) => l.status)).toEqual(['blocked', 'blocked']);
      expect(Object.values(s.letters)).toEqual(['B', 'B']);

      await setContract(1, 'A', 'A');
      await w.converge([1]);
      s = await snapshot(1);
      expect([status, si, s.subs[0]?.status]).toEqual([status, si, 'active']);
      // iot-platform-api.md §2.8: unblocked, an activated licence is active again, a never-activated one pending.
      expect([s.live[CASA]?.status, s.live[SENSOR]?.status]).toEqual(['active', 'pending']);
      expect([s.letters[CASA], s.letters[SENSOR]]).toEqual(['A', 'P']);
    }
    expect(s.subs).toHaveLength(1);
    expect(s.licences).toHaveLength(2);

    // Unset codes ('' in legacy rows; ENUM columns admit no other unknown code) hold the current state: no write reaches the platform.
    const writesBefore = (await sandbox.admin.state()).writeCalls;
    for (const [status, si] of [['', 'A'], ['A', ''], ['', '']] as const) {
      // Legacy rows got '' through a non-strict sql_mode; reproduce that.
      await w.ixc(`SET SESSION sql_mode = ''`);
      await setContract(1, status, si);
      await w.ixc(`SET SESSION sql_mode = DEFAULT`);
      await w.converge([1]);
      expect((await w.sync(`SELECT last_outcome FROM contract_sync WHERE contract_id = 1`))[0]?.last_outcome).toBe('held');
    }
    expect((await sandbox.admin.state()).writeCalls).toBe(writesBefore);
    expect((await snapshot(1)).subs[0]?.status).toBe('active');
  });

  it('quantity change, product leaving, plan change keeping a product, cancellation and reactivation under a new epoch', async () => {
    await w.converge([1]);
    const first = await snapshot(1);
    const casa = first.live[CASA]!;
    const sensor = first.live[SENSOR]!;

    // Quantity change: same licence id and code, items updated, IXC line row updated.
    await w.ixc(`UPDATE vd_contratos_produtos SET qtde = 3 WHERE id = 13`);
    await w.converge([1]);
    let s = await snapshot(1);
    expect(s.live[SENSOR]).toMatchObject({ id: sensor.id, code: sensor.code, items: [{ product_id: SENSOR, quantity: 3 }] });
    expect(await w.ixc(`SELECT quantidade FROM licencas_produtos_iot WHERE id_vd_contrato_produto = 13`)).toEqual([{ quantidade: 3 }]);

    // A product leaves: its licence is revoked and IXC shows I.
    await w.ixc(`DELETE FROM vd_contratos_produtos WHERE id = 13`);
    await w.converge([1]);
    s = await snapshot(1);
    expect(Object.keys(s.live)).toEqual([CASA]);
    expect(s.licences.find((l) => l.id === sensor.id)?.status).toBe('revoked');
    expect(s.letters[SENSOR]).toBe('I');

    // Plan change 2 → 3 keeps Casa (same id and code), adds Câmera ×2 and Sensor ×2 (sensor re-linked: next epoch).
    await w.ixc(`UPDATE cliente_contrato SET id_vd_contrato = 3 WHERE id = 1`);
    await w.converge([1]);
    s = await snapshot(1);
    expect(s.live[CASA]).toMatchObject({ id: casa.id, code: casa.code });
    expect(s.live[CAM]).toMatchObject({ items: [{ product_id: CAM, quantity: 2 }], external_id: `ixc:${TENANT}:contrato:1:produto:${CAM}` });
    expect(s.live[SENSOR]).toMatchObject({ items: [{ product_id: SENSOR, quantity: 2 }], external_id: `ixc:${TENANT}:contrato:1:produto:${SENSOR}:2` });
    expect(s.subs).toHaveLength(1);
    const casaRow = await w.ixc(`SELECT lp.id_vd_contrato_produto AS line FROM licencas_produtos_iot lp JOIN licencas_iot li ON li.id = lp.id_licenca_iot WHERE li.id_licenca_integracao = ?`, [casa.id]);
    expect(casaRow).toEqual([{ line: 5 }]);

    // Cancellation: every licence revoked, subscription cancelled.
    await setContract(1, 'I', 'D');
    await w.converge([1]);
    s = await snapshot(1);
    expect(s.subs.map((x) => x.status)).toEqual(['cancelled']);
    expect(Object.keys(s.live)).toEqual([]);
    expect(new Set(s.rows.map((r) => r.status))).toEqual(new Set(['I']));

    // Reactivation: a new subscription and licences under epoch 2; nothing terminal is reused.
    await setContract(1, 'A', 'A');
    await w.converge([1]);
    s = await snapshot(1);
    const live = s.subs.filter((x) => x.status !== 'cancelled');
    expect(live).toEqual([expect.objectContaining({ external_id: `ixc:${TENANT}:contrato:1:2`, status: 'active' })]);
    expect(Object.keys(s.live).sort()).toEqual([CAM, CASA, SENSOR]);
    expect(s.live[CASA]?.external_id).toBe(`ixc:${TENANT}:contrato:1:produto:${CASA}:2`);
    expect(s.live[SENSOR]?.external_id).toBe(`ixc:${TENANT}:contrato:1:produto:${SENSOR}:3`);
    expect(s.live[CASA]?.subscription_id).toBe(live[0]?.id);
    const rows = await w.ixc(`SELECT id_assinatura_integracao AS sub, status FROM licencas_iot WHERE id_contrato = 1 AND status <> 'I'`);
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.sub))).toEqual(new Set([live[0]?.id]));
    expect(await w.sync(`SELECT epoch FROM contract_sync WHERE contract_id = 1`)).toEqual([{ epoch: 2 }]);
  });

  it('status D (gave up) and a deleted contract row cancel; nothing is created for contracts never provisioned', async () => {
    await w.converge([7, 9]);
    await setContract(9, 'D', 'A');
    await w.ixc(`DELETE FROM cliente_contrato WHERE id = 7`);
    await w.converge([7, 9]);
    for (const id of [7, 9]) {
      const s = await snapshot(id);
      expect([id, s.subs.map((x) => x.status)]).toEqual([id, ['cancelled']]);
      expect([id, Object.keys(s.live)]).toEqual([id, []]);
    }
    // Blocked (3), overdue (4), cancelled (5), pre-contract (6): nothing created only to be suspended or cancelled.
    const writesBefore = (await sandbox.admin.state()).writeCalls;
    await w.converge([3, 4, 5, 6]);
    expect((await sandbox.admin.state()).writeCalls).toBe(writesBefore);
    expect(await w.ixc(`SELECT COUNT(*) AS n FROM licencas_iot WHERE id_contrato IN (3, 4, 5, 6)`)).toEqual([{ n: 0 }]);
  });

  it('an invalid CPF parks the contract with a clear reason and no create call; other contracts are unaffected', async () => {
    await w.ixc(`UPDATE cliente SET cnpj_cpf = '211.114.963-24' WHERE id = 1`);
    await w.converge([1, 7]);
    expect(await w.sync(`SELECT parked_reason, parked_detail FROM contract_sync WHERE contract_id = 1`)).toEqual([
      { parked_reason: 'invalid_customer', parked_detail: 'Invalid customer document: CPF check digits do not match' },
    ]);
    const state = await sandbox.admin.state();
    const platform = await sandboxObjects(sandbox);
    expect(platform.customers.map((c) => c.external_id)).toEqual([`ixc:${TENANT}:cliente:7`]);
    expect(state.requestCounts['POST /customers']).toBe(1);
    expect((await snapshot(7)).subs).toEqual([expect.objectContaining({ status: 'active' })]);

    // Fixing the document is a source change: the mark un-parks and the contract provisions.
    await w.ixc(`UPDATE cliente SET cnpj_cpf = '211.114.963-23' WHERE id = 1`);
    await w.converge([1]);
    expect((await snapshot(1)).subs).toEqual([expect.objectContaining({ status: 'active' })]);
  });

  it('a reconcile with nothing to change writes no IXC row (the worker never triggers itself)', async () => {
    await w.converge([1, 7, 9]);
    const db = w.t.db.ixcDatabase;
    await w.ixc(`CREATE TABLE writes_seen (tbl varchar(40), op varchar(6))`);
    for (const table of ['licencas_iot', 'licencas_produtos_iot']) {
      for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
        await w.ixc(`CREATE TRIGGER \`${db}\`.trg_${table}_${op.toLowerCase()} AFTER ${op} ON \`${db}\`.${table} FOR EACH ROW INSERT INTO \`${db}\`.writes_seen VALUES ('${table}', '${op}')`);
      }
    }
    await w.converge([1, 7, 9]);
    expect(await w.sync(`SELECT contract_id, last_outcome FROM contract_sync WHERE contract_id IN (1, 7, 9) ORDER BY 1`)).toEqual([
      { contract_id: 1, last_outcome: 'noop' },
      { contract_id: 7, last_outcome: 'noop' },
      { contract_id: 9, last_outcome: 'noop' },
    ]);
    expect(await w.ixc(`SELECT * FROM writes_seen`)).toEqual([]);
    // A real change writes exactly the rows it affects.
    await w.ixc(`UPDATE vd_contratos_produtos SET qtde = 2 WHERE id = 13`);
    await w.converge([1]);
    expect(await w.ixc(`SELECT tbl, op FROM writes_seen`)).toEqual([{ tbl: 'licencas_produtos_iot', op: 'UPDATE' }]);
  });
});
