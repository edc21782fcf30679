import { nextIntent } from '../../../src/handlers/apply/apply-plan';
import type { ObservedState } from '../../../src/handlers/plan/observed-state';
import { parseIntent } from '../../../src/handlers/plan/observed-state';
import type { ReconcilePlan } from '../../../src/handlers/plan/plan-reconcile';

const T = 't1';
const base: ReconcilePlan = { contractId: 4, target: 'active', rule: 4, why: '', actions: [], park: null, destructive: 0, epoch: 1, ownership: null, warnings: [] };
const NOTHING: ObservedState = { source: 'recorded', epoch: 1, intent: null, customer: { ref: null, fingerprint: null }, subscription: null, licences: [] };

describe('nextIntent', () => {
  it('is null when the plan creates nothing', () => {
    expect(nextIntent({ ...base, actions: [{ kind: 'revoke-licence', platformProductId: 'p' }] }, NOTHING, T, 1)).toBeNull();
  });

  it('records the subscription and licence references about to be created', () => {
    const plan: ReconcilePlan = {
      ...base,
      epoch: 2,
      actions: [
        { kind: 'create-subscription', externalId: `ixc:${T}:contrato:4:2`, epoch: 2 },
        { kind: 'create-licence', platformProductId: 'p1', externalId: `ixc:${T}:contrato:4:produto:p1:2`, epoch: 2, items: [], description: 'x' },
      ],
    };
    const intent = nextIntent(plan, NOTHING, T, 7);
    expect(intent).toEqual({
      epoch: 2,
      customerExternalId: `ixc:${T}:cliente:7`,
      subscriptionExternalId: `ixc:${T}:contrato:4:2`,
      licences: { p1: { externalId: `ixc:${T}:contrato:4:produto:p1:2`, epoch: 2 } },
    });
    expect(parseIntent(JSON.stringify(intent))).toEqual(intent);
  });

  it('keeps licences intended earlier under the same epoch and adds new ones on the existing subscription', () => {
    const observed: ObservedState = {
      ...NOTHING,
      subscription: { ref: 'S', externalId: `ixc:${T}:contrato:4`, status: 'active' },
      intent: { epoch: 1, customerExternalId: null, subscriptionExternalId: `ixc:${T}:contrato:4`, licences: { p1: { externalId: 'a', epoch: 1 } } },
    };
    const plan: ReconcilePlan = {
      ...base,
      actions: [{ kind: 'create-licence', platformProductId: 'p2', externalId: 'b', epoch: 1, items: [], description: 'x' }],
    };
    expect(nextIntent(plan, observed, T, 7)?.licences).toEqual({ p1: { externalId: 'a', epoch: 1 }, p2: { externalId: 'b', epoch: 1 } });
  });

  it('parseIntent treats unreadable text as no intent', () => {
    expect(parseIntent('not json')).toBeNull();
    expect(parseIntent('{"epoch":"x"}')).toBeNull();
    expect(parseIntent(null)).toBeNull();
  });
});
