import { createHash } from 'node:crypto';
import { buildDesiredState, type ContractSource, type ProductRow } from '../../../src/handlers/plan/desired-state';
import type { ObservedLicence, ObservedState } from '../../../src/handlers/plan/observed-state';
import { planReconcile, type PlanOptions } from '../../../src/handlers/plan/plan-reconcile';

const T = 't1';
const OPTIONS: PlanOptions = { tenantId: T, blastRadiusThreshold: 50, destructiveConfirmed: false };
const product = (id: number): ProductRow => ({ id, descricao: `P${id}`, ativo: 'S', idIntegracaoIot: 1, idProdutoIot: `p${id}` });

function source(status: string, si: string, lines: Array<[number, number, number]> = [[1, 5, 1]], cpf = '211.114.963-23'): ContractSource {
  return {
    contractId: 9,
    contract: { id: 9, idCliente: 1, idVdContrato: 0, status, statusInternet: si },
    cliente: { id: 1, razao: 'Ana Lima', cnpjCpf: cpf, tipoPessoa: 'F', email: 'ana@example.com', telefoneCelular: '(17) 99812-3456' },
    lines: lines.map(([id, prod, qtde]) => ({ id, idVdContrato: 0, idContrato: 9, idProduto: prod, qtde, descricao: null, idContratoProdutoPlano: null })),
    products: new Map([5, 6, 7].map((id) => [id, product(id)])),
  };
}
const desired = (...args: Parameters<typeof source>) =>
  buildDesiredState(source(...args), { integrationId: 1, tenantId: T, negativadoPolicy: 'suspend', overduePolicy: 'suspend' });

const NOTHING: ObservedState = { source: 'recorded', epoch: 1, intent: null, customer: { ref: null, fingerprint: null }, subscription: null, licences: [] };
const lic = (pid: string, over: Partial<ObservedLicence> = {}): ObservedLicence => ({
  platformProductId: pid,
  ref: `L-${pid}`,
  externalId: `ixc:${T}:contrato:9:produto:${pid}`,
  code: `CODE-${pid}`,
  status: 'active',
  quantity: 1,
  epoch: 1,
  licencaIotId: 1,
  ...over,
});
/**
 * The fingerprint the platform customer of `source()` was sent with: SHA-256 of the customer input
 * as canonical JSON (keys sorted), written out here from IXC's row rather than built by the code under test.
 */
const SENT_FINGERPRINT = createHash('sha256')
  .update(JSON.stringify({ document: '21111496323', documentType: 'CPF', email: 'ana@example.com', externalId: `ixc:${T}:cliente:1`, name: 'Ana Lima', phone: '+5517998123456' }))
  .digest('hex');
function provisioned(status: 'active' | 'suspended' | 'cancelled', licences: ObservedLicence[] = [lic('p5')]): ObservedState {
  const fingerprint = SENT_FINGERPRINT;
  return { ...NOTHING, customer: { ref: 'C1', fingerprint }, subscription: { ref: 'S1', externalId: `ixc:${T}:contrato:9`, status }, licences };
}
const kinds = (plan: ReturnType<typeof planReconcile>) => plan.actions.map((a) => (a.kind === 'set-subscription-status' || a.kind === 'set-licence-status' ? `${a.kind}:${a.status}` : a.kind));

describe('planReconcile', () => {
  it('new active contract: customer, subscription, then one licence per product with summed quantity', () => {
    const plan = planReconcile(desired('A', 'A', [[1, 5, 1], [2, 5, 2], [3, 6, 4]]), NOTHING, OPTIONS);
    expect(kinds(plan)).toEqual(['ensure-customer', 'create-subscription', 'create-licence', 'create-licence']);
    expect(plan.actions[1]).toMatchObject({ externalId: `ixc:${T}:contrato:9`, epoch: 1 });
    expect(plan.actions[2]).toMatchObject({ externalId: `ixc:${T}:contrato:9:produto:p5`, items: [{ productId: 'p5', quantity: 3 }] });
    expect(plan.actions[3]).toMatchObject({ items: [{ productId: 'p6', quantity: 4 }] });
    expect(plan.park).toBeNull();
  });

  it('converged: no actions', () => {
    expect(planReconcile(desired('A', 'A'), provisioned('active'), OPTIONS).actions).toEqual([]);
  });

  it('a contract without IoT lines and nothing provisioned touches nothing', () => {
    expect(planReconcile(desired('A', 'A', []), NOTHING, OPTIONS).actions).toEqual([]);
  });

  it.each([
    ['A', 'CA'],
    ['N', 'A'],
    ['P', 'AA'],
    ['I', 'A'],
  ])('%s/%s never creates anything when nothing is provisioned', (status, si) => {
    expect(planReconcile(desired(status, si), NOTHING, OPTIONS).actions).toEqual([]);
  });

  it('block: licences blocked, then the subscription suspended with the reason', () => {
    const plan = planReconcile(desired('A', 'CM'), provisioned('active'), OPTIONS);
    expect(kinds(plan)).toEqual(['set-licence-status:blocked', 'set-subscription-status:suspended']);
    expect(plan.actions[1]).toMatchObject({ reason: 'manual' });
  });

  it('not yet (P/AA) on a provisioned contract suspends, never cancels', () => {
    expect(kinds(planReconcile(desired('P', 'AA'), provisioned('active'), OPTIONS))).toEqual(['set-licence-status:blocked', 'set-subscription-status:suspended']);
  });

  it('unblock: subscription reactivated, licences unblocked', () => {
    const plan = planReconcile(desired('A', 'A'), provisioned('suspended', [lic('p5', { status: 'blocked' })]), OPTIONS);
    expect(kinds(plan)).toEqual(['set-subscription-status:active', 'set-licence-status:active']);
  });

  it('cancel: licences revoked, then the subscription cancelled', () => {
    const plan = planReconcile(desired('I', 'D'), provisioned('suspended', [lic('p5', { status: 'blocked' }), lic('p6')]), OPTIONS);
    expect(kinds(plan)).toEqual(['revoke-licence', 'revoke-licence', 'set-subscription-status:cancelled']);
    expect(plan.destructive).toBe(3);
  });

  it('quantity change updates the items of the same licence', () => {
    const plan = planReconcile(desired('A', 'A', [[1, 5, 3]]), provisioned('active'), OPTIONS);
    expect(plan.actions).toEqual([{ kind: 'update-licence-items', platformProductId: 'p5', items: [{ productId: 'p5', quantity: 3 }] }]);
  });

  it('a product leaving revokes its licence; a new product gets a licence on the existing subscription', () => {
    const plan = planReconcile(desired('A', 'A', [[2, 6, 1]]), provisioned('active'), OPTIONS);
    expect(kinds(plan)).toEqual(['revoke-licence', 'create-licence']);
  });

  it('a plan change that keeps a product (other line ids, same quantity) keeps its licence untouched', () => {
    expect(planReconcile(desired('A', 'A', [[42, 5, 1]]), provisioned('active'), OPTIONS).actions).toEqual([]);
  });

  it('reactivation after cancellation: a new subscription and licences under the next epoch', () => {
    const observed = provisioned('cancelled', [lic('p5', { status: 'revoked' })]);
    const plan = planReconcile(desired('A', 'A'), observed, OPTIONS);
    expect(kinds(plan)).toEqual(['create-subscription', 'create-licence']);
    expect(plan.actions[0]).toMatchObject({ externalId: `ixc:${T}:contrato:9:2`, epoch: 2 });
    expect(plan.actions[1]).toMatchObject({ externalId: `ixc:${T}:contrato:9:produto:p5:2`, epoch: 2 });
    expect(plan.epoch).toBe(2);
  });

  it('a product re-linked after revocation gets a licence under the next epoch', () => {
    const plan = planReconcile(desired('A', 'A'), provisioned('active', [lic('p5', { status: 'revoked', epoch: 2 })]), OPTIONS);
    expect(plan.actions).toEqual([expect.objectContaining({ kind: 'create-licence', externalId: `ixc:${T}:contrato:9:produto:p5:3`, epoch: 3 })]);
  });

  it('an intended licence that was never created reuses its epoch', () => {
    const plan = planReconcile(desired('A', 'A'), provisioned('active', [lic('p5', { ref: null, status: null, epoch: 2 })]), OPTIONS);
    expect(plan.actions).toEqual([expect.objectContaining({ kind: 'create-licence', epoch: 2 })]);
  });

  it('customer data changed: one update with the new fingerprint', () => {
    const observed = { ...provisioned('active'), customer: { ref: 'C1', fingerprint: 'old' } };
    expect(kinds(planReconcile(desired('A', 'A'), observed, OPTIONS))).toEqual(['update-customer']);
  });

  it('invalid CPF parks with the reason before any call', () => {
    const plan = planReconcile(desired('A', 'A', [[1, 5, 1]], '111.111.111-12'), NOTHING, OPTIONS);
    expect(plan.park).toEqual({ reason: 'invalid_customer', detail: expect.stringMatching(/Invalid customer document: CPF/) });
    expect(plan.actions).toEqual([]);
  });

  it('hold: unknown codes change nothing and warn', () => {
    const plan = planReconcile(desired('A', ''), provisioned('active'), OPTIONS);
    expect(plan.actions).toEqual([]);
    expect(plan.warnings.join()).toMatch(/held/);
  });

  describe('blast-radius guard', () => {
    const many = Array.from({ length: 4 }, (_, i) => lic(`q${i}`));
    it('parks a change revoking more than the threshold until confirmed', () => {
      const plan = planReconcile(desired('I', 'A'), provisioned('active', many), { ...OPTIONS, blastRadiusThreshold: 3 });
      expect(plan.park?.reason).toBe('awaiting_confirmation');
      expect(planReconcile(desired('I', 'A'), provisioned('active', many), { ...OPTIONS, blastRadiusThreshold: 3, destructiveConfirmed: true }).park).toBeNull();
    });
    it('lets a change at the threshold through', () => {
      expect(planReconcile(desired('A', 'A', []), provisioned('active', many.slice(0, 3)), { ...OPTIONS, blastRadiusThreshold: 3 }).park).toBeNull();
    });
  });
});
