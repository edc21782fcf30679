import { documentKey } from '../../../src/handlers/domain/document-key';
import { buildDesiredState, type ContractSource, type ProductRow } from '../../../src/handlers/plan/desired-state';
import type { ObservedLicence, ObservedState } from '../../../src/handlers/plan/observed-state';
import { planReconcile, type PlanOptions } from '../../../src/handlers/plan/plan-reconcile';

// DESIGN.md § Ownership: the subscription's platform owner is the customer of the document it was
// created for; another document (contract moved to another cliente, CPF/CNPJ corrected) moves it.
const T = 't1';
const OPTIONS: PlanOptions = { tenantId: T, blastRadiusThreshold: 50, destructiveConfirmed: false };
const ANA = '21111496323';
const BRUNO = '52998224725';
const product: ProductRow = { id: 5, descricao: 'Câmera', ativo: 'S', idIntegracaoIot: 1, idProdutoIot: 'p5' };

function desired(clienteId: number, cpf: string, status = 'A', si = 'A') {
  const source: ContractSource = {
    contractId: 9,
    contract: { id: 9, idCliente: clienteId, idVdContrato: 0, status, statusInternet: si },
    cliente: { id: clienteId, razao: `Cliente ${clienteId}`, cnpjCpf: cpf, tipoPessoa: 'F', email: `c${clienteId}@example.com`, telefoneCelular: '(17) 99812-3456' },
    lines: [{ id: 1, idVdContrato: 0, idContrato: 9, idProduto: 5, qtde: 1, descricao: null, idContratoProdutoPlano: null }],
    products: new Map([[5, product]]),
  };
  return buildDesiredState(source, { integrationId: 1, tenantId: T, negativadoPolicy: 'suspend', overduePolicy: 'suspend' });
}
const licence: ObservedLicence = {
  platformProductId: 'p5',
  ref: 'L1',
  externalId: `ixc:${T}:contrato:9:produto:p5`,
  code: 'CODE1',
  status: 'active',
  quantity: 1,
  epoch: 1,
  licencaIotId: 11,
};
/** Provisioned for cliente 1 (Ana's CPF); `customer` is the desired customer's record as loaded. */
function ownedByAna(subStatus: 'active' | 'suspended' | 'cancelled', customer: ObservedState['customer']): ObservedState {
  return {
    source: 'recorded',
    epoch: 1,
    intent: null,
    customer,
    owner: { clienteId: 1, documentKey: documentKey(ANA) },
    subscription: { ref: 'S1', externalId: `ixc:${T}:contrato:9`, status: subStatus },
    licences: [{ ...licence, status: subStatus === 'cancelled' ? 'revoked' : 'active' }],
  };
}
const kinds = (plan: ReturnType<typeof planReconcile>) => plan.actions.map((a) => (a.kind === 'set-subscription-status' ? `${a.kind}:${a.status}` : a.kind));

describe('planReconcile: ownership', () => {
  it('a contract moved to another customer: old licences revoked, old subscription cancelled, new subscription and licence under the next epoch', () => {
    const plan = planReconcile(desired(2, BRUNO), ownedByAna('active', { ref: null, fingerprint: null }), OPTIONS);
    expect(kinds(plan)).toEqual(['ensure-customer', 'revoke-licence', 'set-subscription-status:cancelled', 'create-subscription', 'create-licence']);
    expect(plan.actions[3]).toMatchObject({ externalId: `ixc:${T}:contrato:9:2`, epoch: 2 });
    expect(plan.actions[4]).toMatchObject({ externalId: `ixc:${T}:contrato:9:produto:p5:2`, epoch: 2 });
    expect(plan.ownership).toBe('ownership changed from cliente 1 to 2');
    expect(plan.epoch).toBe(2);
    expect(plan.destructive).toBe(2);
  });

  it("the new owner's customer is found or created, never the previous owner's record updated with its data", () => {
    const plan = planReconcile(desired(2, BRUNO), ownedByAna('active', { ref: 'C-ANA', fingerprint: 'old' }), OPTIONS);
    expect(plan.actions.some((a) => a.kind === 'update-customer')).toBe(false);
    expect(plan.actions[0]).toMatchObject({ kind: 'ensure-customer', input: { document: BRUNO } });
  });

  it('a corrected CPF on the same customer is another platform owner', () => {
    const plan = planReconcile(desired(1, BRUNO), ownedByAna('active', { ref: 'C-ANA', fingerprint: 'old', documentKey: documentKey(ANA) }), OPTIONS);
    expect(kinds(plan)).toEqual(['ensure-customer', 'revoke-licence', 'set-subscription-status:cancelled', 'create-subscription', 'create-licence']);
    expect(plan.ownership).toBe('ownership changed: the CPF/CNPJ of cliente 1 was corrected');
  });

  it('moved to another IXC customer with the same document: the same platform customer, nothing moves', () => {
    const plan = planReconcile(desired(2, ANA), ownedByAna('active', { ref: 'C-ANA', fingerprint: null }), OPTIONS);
    expect(plan.ownership).toBeNull();
    expect(kinds(plan)).toEqual(['update-customer']);
  });

  it('a suspended contract that changed owner: the old subscription ends, nothing is created only to be suspended', () => {
    const plan = planReconcile(desired(2, BRUNO, 'A', 'CM'), ownedByAna('active', { ref: null, fingerprint: null }), OPTIONS);
    expect(kinds(plan)).toEqual(['revoke-licence', 'set-subscription-status:cancelled']);
    expect(plan.ownership).toBe('ownership changed from cliente 1 to 2');
  });

  it('a contract deleted and re-created under another customer: a new subscription for the new owner, the note says so', () => {
    const plan = planReconcile(desired(2, BRUNO), ownedByAna('cancelled', { ref: null, fingerprint: null }), OPTIONS);
    expect(kinds(plan)).toEqual(['ensure-customer', 'create-subscription', 'create-licence']);
    expect(plan.actions[1]).toMatchObject({ externalId: `ixc:${T}:contrato:9:2` });
    expect(plan.ownership).toBe('ownership changed from cliente 1 to 2');
    expect(plan.destructive).toBe(0);
  });

  it('the same owner, reactivated after cancellation: no ownership note', () => {
    const plan = planReconcile(desired(1, ANA), ownedByAna('cancelled', { ref: 'C-ANA', fingerprint: null, documentKey: documentKey(ANA) }), OPTIONS);
    expect(plan.ownership).toBeNull();
  });

  it('an owner never recorded (provisioned before owners were recorded) is not a change', () => {
    const observed = { ...ownedByAna('active', { ref: 'C-ANA', fingerprint: null }), owner: null };
    expect(planReconcile(desired(2, BRUNO), observed, OPTIONS).ownership).toBeNull();
  });
});
