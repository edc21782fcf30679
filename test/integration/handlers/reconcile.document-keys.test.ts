import { documentKey } from '../../../src/handlers/domain/document-key';
import { normaliseDocument } from '../../../src/handlers/domain/customer/customer-input';
import { useReconcileWorld, type ReconcileWorld } from '../../helpers/reconcile-harness';

jest.setTimeout(120_000);
// Issue 14: the project's own tables keep the key of a customer's CPF/CNPJ, never the document.
describe('reconcile: the customer and owner records keep document keys', () => {
  let w: ReconcileWorld;

  useReconcileWorld((_s, world) => {
    w = world;
  });

  it('records the key of the CPF, finds the customer again by it, and stores the document nowhere', async () => {
    const [cliente] = await w.ixc(`SELECT c.id, c.cnpj_cpf, c.tipo_pessoa FROM cliente_contrato cc JOIN cliente c ON c.id = cc.id_cliente WHERE cc.id = 1`);
    const { document } = normaliseDocument(String(cliente!.cnpj_cpf), String(cliente!.tipo_pessoa));
    await w.converge([1]);

    const key = documentKey(document);
    const [recorded] = await w.sync(`SELECT cliente_id, document, customer_ref FROM customer_sync`);
    expect(recorded).toEqual({ cliente_id: cliente!.id, document: key, customer_ref: expect.any(String) });
    expect(await w.sync(`SELECT owner_document FROM contract_sync WHERE contract_id = 1`)).toEqual([{ owner_document: key }]);

    // Found again by its key: a changed e-mail updates the same platform customer, no second one.
    await w.ixc(`UPDATE cliente SET email = 'outro.email@example.net' WHERE id = ?`, [cliente!.id]);
    await w.converge([1]);
    expect(await w.sync(`SELECT cliente_id, document, customer_ref FROM customer_sync`)).toEqual([{ ...recorded, document: key }]);
    expect(await w.sync(`SELECT owner_document FROM contract_sync WHERE contract_id = 1`)).toEqual([{ owner_document: key }]);

    const digits = document.replace(/\D/g, '');
    const dump = JSON.stringify([await w.sync(`SELECT * FROM customer_sync`), await w.sync(`SELECT * FROM contract_sync`)]);
    expect(dump).not.toContain(digits);
  });
});
