import type { DesiredState } from '../desired/desired-state';
import { ReconcileAbortedError, ReconcileError } from '../errors';
import type { CallContext, IotPlatform, PlatformLicense, SubscriptionStatus } from '../ports/iot-platform';
import type { ObservedLicence, ObservedState } from '../plan/observed-state';
import type { ReconcilePlan } from '../plan/plan-reconcile';
import type { ReconcileAction } from '../plan/reconcile-action';

export interface ApplyDeps {
  platform: IotPlatform;
  /** Find-or-create under the customer lock (ensureCustomer bound to its dependencies). */
  ensureCustomer(clienteId: number, action: Extract<ReconcileAction, { kind: 'ensure-customer' }>, ctx: CallContext): Promise<{ ref: string; fingerprint: string | null }>;
  /** Sends changed customer data under the customer lock, once per IXC customer (updateCustomerOnce bound to its dependencies). */
  updateCustomer(clienteId: number, ref: string, action: Extract<ReconcileAction, { kind: 'update-customer' }>, ctx: CallContext): Promise<{ ref: string; fingerprint: string }>;
}

/** A step the platform's reply makes impossible (e.g. a terminal object under a fresh reference). */
export class PlanConflictError extends ReconcileError {
  constructor(message: string) {
    super(message);
    this.name = 'PlanConflictError';
  }
}

function licenceFrom(l: PlatformLicense, previous: ObservedLicence | undefined, pid: string, epoch: number): ObservedLicence {
  return {
    platformProductId: pid,
    ref: l.id,
    externalId: l.externalId,
    code: l.code,
    status: l.status,
    quantity: l.items.reduce((n, i) => n + i.quantity, 0),
    epoch,
    licencaIotId: previous?.licencaIotId ?? null,
  };
}

/**
 * Runs the plan's actions in order through the IotPlatform port and returns the state they
 * produced, which the write-back records. Each action sets an absolute target, so a failure
 * part-way is repaired by the next reconcile (creates are found again through the intent).
 * `observed.intent` is the intent as it was before this reconcile recorded its own: a reference
 * it already held may have been created by a run that died, so it is looked up first; a reference
 * it did not hold was never sent, so the create goes first (a 409 still resolves to the object).
 */
export async function applyPlan(deps: ApplyDeps, plan: ReconcilePlan, desired: DesiredState, observed: ObservedState, ctx: CallContext): Promise<ObservedState> {
  const { platform } = deps;
  const state: ObservedState = structuredClone(observed);
  const licence = (pid: string): ObservedLicence => {
    const found = state.licences.find((l) => l.platformProductId === pid);
    if (found?.ref == null) throw new PlanConflictError(`No licence recorded for product ${pid}`);
    return found;
  };
  const put = (next: ObservedLicence): void => {
    const i = state.licences.findIndex((l) => l.platformProductId === next.platformProductId);
    if (i >= 0) state.licences[i] = next;
    else state.licences.push(next);
  };
  const subscriptionRef = (): string => {
    if (!state.subscription) throw new PlanConflictError('No subscription to act on');
    return state.subscription.ref;
  };

  for (const action of plan.actions) {
    if (ctx.signal?.aborted) throw new ReconcileAbortedError('signal aborted between actions', { cause: ctx.signal.reason });
    switch (action.kind) {
      case 'ensure-customer': {
        if (desired.customer.clienteId === null) throw new PlanConflictError('Customer id unknown');
        state.customer = await deps.ensureCustomer(desired.customer.clienteId, action, ctx);
        break;
      }
      case 'update-customer': {
        if (state.customer.ref === null) throw new PlanConflictError('No customer to update');
        if (desired.customer.clienteId === null) throw new PlanConflictError('Customer id unknown');
        state.customer = await deps.updateCustomer(desired.customer.clienteId, state.customer.ref, action, ctx);
        break;
      }
      case 'create-subscription': {
        if (state.customer.ref === null) throw new PlanConflictError('No customer for the subscription');
        const { value } = await platform.findOrCreateSubscription(
          state.customer.ref,
          { externalId: action.externalId, metadata: { ixc_contract_id: plan.contractId } },
          ctx,
          { findFirst: observed.intent?.subscriptionExternalId === action.externalId },
        );
        if (value.status === 'cancelled') throw new PlanConflictError(`Subscription ${action.externalId} is already cancelled on the platform`);
        let status: SubscriptionStatus = value.status;
        if (status !== 'active') status = (await platform.setSubscriptionStatus(value.id, 'active', 'other', ctx)).status;
        state.subscription = { ref: value.id, externalId: value.externalId ?? action.externalId, status };
        state.epoch = action.epoch;
        break;
      }
      case 'set-subscription-status': {
        const updated = await platform.setSubscriptionStatus(subscriptionRef(), action.status, action.reason, ctx);
        state.subscription = { ref: updated.id, externalId: updated.externalId ?? state.subscription?.externalId ?? null, status: updated.status };
        break;
      }
      case 'create-licence': {
        const previous = state.licences.find((l) => l.platformProductId === action.platformProductId);
        const { value } = await platform.findOrCreateLicense(
          subscriptionRef(),
          { externalId: action.externalId, description: action.description, items: action.items },
          ctx,
          { findFirst: observed.intent?.licences[action.platformProductId]?.externalId === action.externalId },
        );
        if (value.status === 'revoked') throw new PlanConflictError(`Licence ${action.externalId} is already revoked on the platform`);
        let created = value;
        if (created.status === 'blocked') created = await platform.setLicenseStatus(created.id, 'active', ctx);
        // A replacement is another licence: it gets its own IXC row; the one it replaces stays, as history.
        const replaced = previous?.ref != null && previous.ref !== created.id ? previous : undefined;
        if (replaced) state.retired = [...(state.retired ?? []), replaced];
        put(licenceFrom(created, replaced ? undefined : previous, action.platformProductId, action.epoch));
        break;
      }
      case 'update-licence-items': {
        const current = licence(action.platformProductId);
        const updated = await platform.updateLicenseItems(current.ref as string, action.items, ctx);
        put({ ...licenceFrom(updated, current, action.platformProductId, current.epoch), externalId: updated.externalId ?? current.externalId });
        break;
      }
      case 'set-licence-status': {
        const current = licence(action.platformProductId);
        const updated = await platform.setLicenseStatus(current.ref as string, action.status, ctx);
        put({ ...licenceFrom(updated, current, action.platformProductId, current.epoch), externalId: updated.externalId ?? current.externalId });
        break;
      }
      case 'revoke-licence': {
        const current = licence(action.platformProductId);
        await platform.revokeLicense(current.ref as string, ctx);
        put({ ...current, status: 'revoked' });
        break;
      }
    }
  }
  return state;
}
