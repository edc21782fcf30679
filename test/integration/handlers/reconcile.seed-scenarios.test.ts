import { useReconcileWorld, sandboxObjects, TENANT, type ReconcileWorld } from '../../helpers/reconcile-harness';
import type { SandboxProcess } from '../../helpers/sandbox-process';


// Real processes and HTTP round trips: jest's 5 s default is too short (testTimeout is not per project).
jest.setTimeout(120_000);
describe('reconcile: the two seed scenarios against the sandbox process', () => {
  let sandbox: SandboxProcess;
  let w: ReconcileWorld;

  useReconcileWorld((s, world) => {
    sandbox = s;
    w = world;
  });

  it('new customer: creates customer, subscription and one licence per product, and writes them back into IXC', async () => {
    await w.converge([1]);
    const platform = await sandboxObjects(sandbox);
    expect(platform.customers).toEqual([expect.objectContaining({ document: '21111496323', external_id: `ixc:${TENANT}:cliente:1` })]);
    expect(platform.subscriptions).toEqual([expect.objectContaining({ external_id: `ixc:${TENANT}:contrato:1`, status: 'active', customer_id: platform.customers[0]?.id })]);
    const byProduct = Object.fromEntries(platform.licences.map((l) => [String(l.items[0]?.product_id), l] as const));
    expect(Object.keys(byProduct).sort()).toEqual(['OLLI-CASA-INTELIGENTE', 'OLLI-SENSOR-PORTA']);
    expect(byProduct['OLLI-CASA-INTELIGENTE']).toMatchObject({ status: 'pending', items: [{ product_id: 'OLLI-CASA-INTELIGENTE', quantity: 1 }] });

    const rows = await w.ixc(`SELECT * FROM licencas_iot WHERE id_contrato = 1 ORDER BY id`);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const licence = platform.licences.find((l) => l.id === row.id_licenca_integracao);
      expect(licence).toBeDefined();
      expect(row).toMatchObject({
        id_integracao: 1,
        id_cliente_integracao: platform.customers[0]?.id,
        id_assinatura_integracao: platform.subscriptions[0]?.id,
        codigo_licenca_integracao: licence?.code,
        // A new licence is pending until a device activates it.
        status: 'P',
      });
    }
    const items = await w.ixc(
      `SELECT li.id_licenca_integracao AS lic, lp.id_vd_contrato_produto AS line, lp.quantidade AS q
         FROM licencas_produtos_iot lp JOIN licencas_iot li ON li.id = lp.id_licenca_iot ORDER BY line`,
    );
    expect(items).toEqual([
      { lic: byProduct['OLLI-CASA-INTELIGENTE']?.id, line: 3, q: 1 },
      { lic: byProduct['OLLI-SENSOR-PORTA']?.id, line: 13, q: 1 },
    ]);
    expect(await w.sync(`SELECT dirty, last_outcome, parked_reason FROM contract_sync WHERE contract_id = 1`)).toEqual([
      { dirty: 0, last_outcome: 'applied', parked_reason: null },
    ]);
    // Intent before effect: references this reconcile was the first to intend are created without a lookup first.
    const counts = (await sandbox.admin.state()).requestCounts;
    expect([counts['GET /subscriptions'] ?? 0, counts['GET /subscriptions/{id}/licenses'] ?? 0]).toEqual([0, 0]);
    expect([counts['POST /customers/{customerId}/subscriptions'], counts['POST /subscriptions/{id}/licenses']]).toEqual([1, 2]);
  });

  it('existing customer adding devices to an existing contract: customer found, licence added to the same subscription', async () => {
    // The customer already exists on the platform (created by someone else, without our reference).
    const existing = await w.platform.findOrCreateCustomer({ externalId: 'other-system:1', name: 'Ana Paula Ferreira Lima', document: '21111496323', documentType: 'CPF' });
    await w.converge([9]);
    let platform = await sandboxObjects(sandbox);
    expect(platform.customers).toHaveLength(1);
    expect(platform.subscriptions).toEqual([expect.objectContaining({ customer_id: existing.value.id, external_id: `ixc:${TENANT}:contrato:9` })]);
    expect(platform.licences).toHaveLength(1);
    const postsBefore = (await sandbox.admin.state()).requestCounts['POST /customers'] ?? 0;

    // Two door sensors are added to contract 9.
    await w.ixc(`INSERT INTO vd_contratos_produtos (id, id_vd_contrato, id_contrato, id_produto, tipo, descricao, qtde, valor_unit, id_plano)
                 VALUES (50, 0, 9, 7, 'SVA', 'Sensor de porta', 2, 4.9, 0)`);
    await w.converge([9]);
    platform = await sandboxObjects(sandbox);
    expect((await sandbox.admin.state()).requestCounts['POST /customers'] ?? 0).toBe(postsBefore);
    expect(platform.customers).toHaveLength(1);
    expect(platform.subscriptions).toHaveLength(1);
    expect(platform.licences.map((l) => [l.subscription_id, l.items[0]?.product_id, l.items[0]?.quantity]).sort()).toEqual([
      [platform.subscriptions[0]?.id, 'OLLI-CAMERA', 1],
      [platform.subscriptions[0]?.id, 'OLLI-SENSOR-PORTA', 2],
    ]);
    const rows = await w.ixc(`SELECT id_assinatura_integracao AS sub, status FROM licencas_iot WHERE id_contrato = 9`);
    expect(rows).toEqual([
      { sub: platform.subscriptions[0]?.id, status: 'P' },
      { sub: platform.subscriptions[0]?.id, status: 'P' },
    ]);
  });
});
