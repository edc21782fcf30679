import { customerExternalId, subscriptionExternalId } from '../domain/external-refs';
import type { Intent, ObservedState } from './observed-state';
import type { ReconcilePlan } from './plan-reconcile';

/**
 * The intent to commit before applying a plan that creates something, or null when it creates
 * nothing. It keeps the licences already intended under the same epoch and adds the new ones. Pure.
 */
export function nextIntent(plan: ReconcilePlan, observed: ObservedState, tenantId: string, clienteId: number | null): Intent | null {
  const creates = plan.actions.filter((a) => a.kind === 'create-subscription' || a.kind === 'create-licence');
  if (creates.length === 0) return null;
  const createSub = plan.actions.find((a) => a.kind === 'create-subscription');
  const epoch = plan.epoch;
  const subscriptionExternalIdValue =
    createSub?.kind === 'create-subscription'
      ? createSub.externalId
      : (observed.subscription?.externalId ?? subscriptionExternalId(tenantId, plan.contractId, epoch));
  const licences: Intent['licences'] = observed.intent && observed.intent.epoch === epoch ? { ...observed.intent.licences } : {};
  for (const a of plan.actions) {
    if (a.kind === 'create-licence') licences[a.platformProductId] = { externalId: a.externalId, epoch: a.epoch };
  }
  return {
    epoch,
    customerExternalId: clienteId === null ? null : customerExternalId(tenantId, clienteId),
    subscriptionExternalId: subscriptionExternalIdValue,
    licences,
  };
}
