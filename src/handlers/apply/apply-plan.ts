import { customerExternalId, subscriptionExternalId } from '../domain/external-refs';
import type { DataSource, EntityManager } from 'typeorm';
import { LeaseLostError, ReconcileAbortedError, ReconcileError } from '../errors';
import type { CallContext, IotPlatform, PlatformLicence, SubscriptionStatus } from '../ports/iot-platform';
import type { DesiredState } from '../plan/desired-state';
import type { Intent, ObservedLicence, ObservedState } from '../plan/observed-state';
import type { ReconcilePlan } from '../plan/plan-reconcile';
import type { ReconcileAction } from '../plan/reconcile-action';
import type { Claim } from '../work-set/work-set-claim';
import { affectedRows, contractSyncTable, type Queryable } from '../work-set/sql-helpers';
import { ensureCustomer, updateCustomerOnce } from './ensure-customer';

export interface ApplyReconcileDeps {
  /** The pool's manager (the customer lock takes its own connection from it). */
  db: DataSource | EntityManager;
  syncSchema: string;
  tenantId: string;
  platform: IotPlatform;
  /** Wait for another reconcile's find-or-create of the same document. */
  customerLockTimeoutSeconds: number;
}

/**
 * The apply phase: record the intent before any create, then run the plan's actions through the
 * platform port (the customer's under its lock). Returns the state they produced, for the
 * write-back.
 */
export async function applyReconcilePlan(
  deps: ApplyReconcileDeps,
  claim: Claim,
  planned: { plan: ReconcilePlan; desired: DesiredState; observed: ObservedState },
  ctx: CallContext,
): Promise<ObservedState> {
  const { plan, desired, observed } = planned;
  const intent = nextIntent(plan, observed, deps.tenantId, desired.customer.clienteId);
  if (intent) await recordIntent(deps.db, deps.syncSchema, claim, intent);
  const customerDeps = { db: deps.db, syncSchema: deps.syncSchema, tenantId: deps.tenantId, platform: deps.platform, lockTimeoutSeconds: deps.customerLockTimeoutSeconds };
  return applyPlan(
    {
      platform: deps.platform,
      ensureCustomer: (clienteId, action, callCtx) => ensureCustomer(customerDeps, clienteId, action.input, action.fingerprint, callCtx),
      updateCustomer: (clienteId, ref, action, callCtx) => updateCustomerOnce(customerDeps, clienteId, ref, action.input, action.fingerprint, callCtx),
    },
    plan,
    desired,
    observed,
    ctx,
  );
}

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

/**
 * Fenced by the lease in the statement itself: owner, token and expiry by the database clock.
 * Parameters: (intent JSON, contract_id, owner, token).
 */
const RECORD_INTENT_SQL = (t: string) => `UPDATE ${t} SET intent = ?
 WHERE contract_id = ? AND lease_owner = ? AND claim_token = ? AND lease_expires_at > NOW(3)`;

/**
 * Intent before effect (DESIGN.md § Decisions): the references about to be created are committed,
 * fenced by the lease, before the first create. A later reconcile that finds the intent without
 * ids looks the objects up by these references instead of trusting their absence. One autocommit
 * statement: a lost lease matches no row and nothing is written.
 */
async function recordIntent(db: Queryable, syncSchema: string, claim: Claim, intent: Intent): Promise<void> {
  const result = await db.query(RECORD_INTENT_SQL(contractSyncTable(syncSchema)), [JSON.stringify(intent), claim.contractId, claim.owner, claim.token]);
  // mysql2 connects with FOUND_ROWS: a matched row counts even when the intent is unchanged.
  if (affectedRows(result) !== 1) throw new LeaseLostError(claim.contractId, 'lease lost before recording the intent');
}

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

function licenceFrom(l: PlatformLicence, previous: ObservedLicence | undefined, pid: string, epoch: number): ObservedLicence {
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
        const { value } = await platform.findOrCreateLicence(
          subscriptionRef(),
          { externalId: action.externalId, description: action.description, items: action.items },
          ctx,
          { findFirst: observed.intent?.licences[action.platformProductId]?.externalId === action.externalId },
        );
        if (value.status === 'revoked') throw new PlanConflictError(`Licence ${action.externalId} is already revoked on the platform`);
        let created = value;
        if (created.status === 'blocked') created = await platform.setLicenceStatus(created.id, 'active', ctx);
        // A replacement is another licence: it gets its own IXC row; the one it replaces stays, as history.
        const replaced = previous?.ref != null && previous.ref !== created.id ? previous : undefined;
        if (replaced) state.retired = [...(state.retired ?? []), replaced];
        put(licenceFrom(created, replaced ? undefined : previous, action.platformProductId, action.epoch));
        break;
      }
      case 'update-licence-items': {
        const current = licence(action.platformProductId);
        const updated = await platform.updateLicenceItems(current.ref as string, action.items, ctx);
        put({ ...licenceFrom(updated, current, action.platformProductId, current.epoch), externalId: updated.externalId ?? current.externalId });
        break;
      }
      case 'set-licence-status': {
        const current = licence(action.platformProductId);
        const updated = await platform.setLicenceStatus(current.ref as string, action.status, ctx);
        put({ ...licenceFrom(updated, current, action.platformProductId, current.epoch), externalId: updated.externalId ?? current.externalId });
        break;
      }
      case 'revoke-licence': {
        const current = licence(action.platformProductId);
        await platform.revokeLicence(current.ref as string, ctx);
        put({ ...current, status: 'revoked' });
        break;
      }
    }
  }
  return state;
}
