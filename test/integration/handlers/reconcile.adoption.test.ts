import { useReconcileWorld, sandboxObjects, TENANT, type ReconcileWorld } from '../../helpers/reconcile-harness';
import type { SandboxProcess } from '../../helpers/sandbox-process';

// Real processes and HTTP round trips: jest's 5 s default is too short (testTimeout is not per project).
jest.setTimeout(120_000);

describe("reconcile: adopting Olli ids IXC's native integration wrote into licencas_iot", () => {
  let sandbox: SandboxProcess;
  let w: ReconcileWorld;

  useReconcileWorld((s, world) => {
    sandbox = s;
    w = world;
  });

  it('verifies the native ids with a GET and adopts them instead of creating', async () => {
    // What the native integration created for contract 7 (company, Câmera ×4 and Sensor ×6), without our references.
    const customer = (await w.platform.findOrCreateCustomer({ externalId: 'native:7', name: 'Padaria Pão Dourado Ltda', document: '41374306000195', documentType: 'CNPJ' })).value;
    const sub = (await w.platform.findOrCreateSubscription(customer.id, { externalId: 'native:contrato:7' })).value;
    const cam = (await w.platform.findOrCreateLicence(sub.id, { externalId: 'native:7:cam', items: [{ productId: 'OLLI-CAMERA', quantity: 4 }] })).value;
    const sensor = (await w.platform.findOrCreateLicence(sub.id, { externalId: 'native:7:sensor', items: [{ productId: 'OLLI-SENSOR-PORTA', quantity: 6 }] })).value;
    for (const l of [cam, sensor]) {
      await w.ixc(
        `INSERT INTO licencas_iot (id_contrato, id_integracao, id_cliente_integracao, id_assinatura_integracao, id_licenca_integracao, codigo_licenca_integracao, descricao, status)
         VALUES (7, 1, ?, ?, ?, ?, 'nativo', 'P')`,
        [customer.id, sub.id, l.id, l.code],
      );
    }
    const rowsBefore = await w.ixc(`SELECT id, id_licenca_integracao FROM licencas_iot WHERE id_contrato = 7 ORDER BY id`);
    const before = await sandbox.admin.state();

    await w.converge([7]);
    const after = await sandbox.admin.state();
    expect(after.requestCounts['POST /customers'] ?? 0).toBe(before.requestCounts['POST /customers'] ?? 0);
    expect(after.requestCounts['POST /customers/{customerId}/subscriptions'] ?? 0).toBe(before.requestCounts['POST /customers/{customerId}/subscriptions'] ?? 0);
    expect(after.requestCounts['POST /subscriptions/{id}/licenses'] ?? 0).toBe(before.requestCounts['POST /subscriptions/{id}/licenses'] ?? 0);
    const platform = await sandboxObjects(sandbox);
    expect([platform.customers.length, platform.subscriptions.length, platform.licences.length]).toEqual([1, 1, 2]);

    // Same IXC rows (no new row), now with the lines they cover; the sync state knows the adopted ids.
    expect(await w.ixc(`SELECT id, id_licenca_integracao FROM licencas_iot WHERE id_contrato = 7 ORDER BY id`)).toEqual(rowsBefore);
    expect(await w.ixc(`SELECT id_vd_contrato_produto AS line, quantidade AS q FROM licencas_produtos_iot ORDER BY line`)).toEqual([
      { line: 11, q: 4 },
      { line: 12, q: 6 },
    ]);
    expect(await w.sync(`SELECT subscription_ref FROM contract_sync WHERE contract_id = 7`)).toEqual([{ subscription_ref: sub.id }]);
    expect(await w.sync(`SELECT platform_product_id AS p, licence_ref AS ref FROM licence_sync WHERE contract_id = 7 ORDER BY p`)).toEqual([
      { p: 'OLLI-CAMERA', ref: cam.id },
      { p: 'OLLI-SENSOR-PORTA', ref: sensor.id },
    ]);

    // Later changes act on the adopted objects.
    await w.ixc(`UPDATE vd_contratos_produtos SET qtde = 5 WHERE id = 11`);
    await w.converge([7]);
    const updated = (await sandboxObjects(sandbox)).licences.find((l) => l.id === cam.id);
    expect(updated).toMatchObject({ code: cam.code, items: [{ product_id: 'OLLI-CAMERA', quantity: 5 }] });
  });

  it('does not adopt ids the platform does not know: it provisions afresh', async () => {
    await w.ixc(
      `INSERT INTO licencas_iot (id_contrato, id_integracao, id_cliente_integracao, id_assinatura_integracao, id_licenca_integracao, status)
       VALUES (9, 1, 'gone-customer', 'gone-subscription', 'gone-licence', 'A')`,
    );
    await w.converge([9]);
    const platform = await sandboxObjects(sandbox);
    expect(platform.subscriptions).toHaveLength(1);
    expect(platform.licences).toHaveLength(1);
    expect(await w.sync(`SELECT subscription_ref FROM contract_sync WHERE contract_id = 9`)).toEqual([{ subscription_ref: platform.subscriptions[0]?.id }]);
    expect(await w.ixc(`SELECT id_licenca_integracao AS ref, status FROM licencas_iot WHERE id_contrato = 9 ORDER BY id`)).toEqual([
      { ref: 'gone-licence', status: 'I' },
      { ref: platform.licences[0]?.id, status: 'P' },
    ]);
  });

  it('objects already on the platform under our references, with no record of them anywhere, are reused through the 409', async () => {
    // As if the sync schema and IXC's rows were lost after a provisioning: the platform keeps what was created.
    const customer = (await w.platform.findOrCreateCustomer({ externalId: `ixc:${TENANT}:cliente:1`, name: 'Ana Paula Ferreira Lima', document: '21111496323', documentType: 'CPF' })).value;
    const sub = (await w.platform.findOrCreateSubscription(customer.id, { externalId: `ixc:${TENANT}:contrato:1` })).value;
    const casa = (await w.platform.findOrCreateLicence(sub.id, { externalId: `ixc:${TENANT}:contrato:1:produto:OLLI-CASA-INTELIGENTE`, items: [{ productId: 'OLLI-CASA-INTELIGENTE', quantity: 1 }] })).value;
    const before = await sandbox.admin.state();

    await w.converge([1]);
    const after = await sandbox.admin.state();
    const platform = await sandboxObjects(sandbox);
    expect([platform.customers.length, platform.subscriptions.length]).toEqual([1, 1]);
    expect(platform.licences.map((l) => l.external_id).sort()).toEqual([
      `ixc:${TENANT}:contrato:1:produto:OLLI-CASA-INTELIGENTE`,
      `ixc:${TENANT}:contrato:1:produto:OLLI-SENSOR-PORTA`,
    ]);
    // No intent, so the creates went first; the platform's 409 named the existing objects, which were reused.
    const delta = (endpoint: string): number => (after.requestCounts[endpoint] ?? 0) - (before.requestCounts[endpoint] ?? 0);
    expect(delta('POST /customers/{customerId}/subscriptions')).toBe(1);
    expect(delta('POST /subscriptions/{id}/licenses')).toBe(2);
    expect(await w.sync(`SELECT subscription_ref FROM contract_sync WHERE contract_id = 1`)).toEqual([{ subscription_ref: sub.id }]);
    expect(await w.ixc(`SELECT id_licenca_integracao AS ref FROM licencas_iot WHERE id_contrato = 1 ORDER BY id`)).toEqual(
      expect.arrayContaining([{ ref: casa.id }]),
    );
  });
});
