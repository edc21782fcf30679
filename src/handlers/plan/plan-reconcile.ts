import { licenceExternalId, subscriptionExternalId } from '../domain/external-refs';
import type { ContractTarget, DesiredLicence, DesiredState } from './desired-state';
import type { LicenceItem } from '../ports/iot-platform';
import { documentKey } from '../domain/document-key';
import type { ObservedLicence, ObservedState } from './observed-state';
import type { ReconcileAction } from './reconcile-action';

export type ParkReason = 'invalid_customer' | 'awaiting_confirmation';

export interface PlanPark {
  reason: ParkReason;
  detail: string;
}

export interface PlanOptions {
  tenantId: string;
  /** More revocations/cancellations than this in one change wait for `reconcile --confirm`. */
  blastRadiusThreshold: number;
  /** An operator confirmed this contract's destructive change (or the IXC change it belongs to). */
  destructiveConfirmed: boolean;
}

/**
 * A contract whose own plan revokes or cancels more than the threshold waits for an operator.
 * Changes fanning out over many contracts are judged as a whole by the change guard
 * (`change-guard.ts`). Pure.
 */
export function blastRadiusPark(destructive: number, options: Pick<PlanOptions, 'blastRadiusThreshold' | 'destructiveConfirmed'>): PlanPark | null {
  if (destructive === 0 || options.destructiveConfirmed || destructive <= options.blastRadiusThreshold) return null;
  return {
    reason: 'awaiting_confirmation',
    detail: `Would revoke/cancel ${destructive} object(s), above the blast-radius threshold of ${options.blastRadiusThreshold}; run "reconcile --confirm --contract <id>" to proceed`,
  };
}

export interface ReconcilePlan {
  contractId: number;
  target: ContractTarget;
  rule: number;
  why: string;
  /** In execution order. Not to be applied when `park` is set. */
  actions: ReconcileAction[];
  park: PlanPark | null;
  /** Licences revoked plus subscriptions cancelled by this plan. */
  destructive: number;
  /** Subscription epoch once the plan is applied. */
  epoch: number;
  /** "ownership changed from cliente X to Y" when this plan moves the contract to another platform owner. */
  ownership: string | null;
  warnings: string[];
}

const itemsOf = (d: DesiredLicence): LicenceItem[] => [{ productId: d.platformProductId, quantity: d.quantity }];
const isLive = (l: ObservedLicence): boolean => l.ref !== null && l.status !== 'revoked';

/** Licences to revoke, update and (un)block for a subscription that stays; creation is the caller's. */
function keepLicences(live: ObservedLicence[], wanted: Map<string, DesiredLicence>, status: 'active' | 'blocked'): ReconcileAction[] {
  const revokes: ReconcileAction[] = [];
  const updates: ReconcileAction[] = [];
  const statuses: ReconcileAction[] = [];
  for (const l of live) {
    const d = wanted.get(l.platformProductId);
    if (d === undefined) {
      revokes.push({ kind: 'revoke-licence', platformProductId: l.platformProductId });
      continue;
    }
    if (l.quantity !== d.quantity) updates.push({ kind: 'update-licence-items', platformProductId: l.platformProductId, items: itemsOf(d) });
    const blocked = l.status === 'blocked';
    if (status === 'blocked' ? !blocked : blocked) statuses.push({ kind: 'set-licence-status', platformProductId: l.platformProductId, status });
  }
  return [...revokes, ...updates, ...statuses];
}

/**
 * DESIGN.md § Ownership: the subscription's owner is the platform customer of the document it was
 * created for; the desired owner is the one of the contract's IXC customer's document now. Another
 * document (the contract moved to another `id_cliente`, or the CPF/CNPJ was corrected) is another
 * platform customer, since the platform keeps one customer per document. Null when nothing moved.
 */
function ownershipChange(desired: DesiredState, observed: ObservedState): { from: number | null; to: number | null; note: string } | null {
  const owner = observed.owner;
  if (!desired.customer.ok || owner == null || owner.documentKey === null || owner.documentKey === documentKey(desired.customer.input.document)) return null;
  const to = desired.customer.clienteId;
  const note =
    owner.clienteId !== null && owner.clienteId !== to
      ? `ownership changed from cliente ${owner.clienteId} to ${to}`
      : `ownership changed: the CPF/CNPJ of cliente ${to} was corrected`;
  return { from: owner.clienteId, to, note };
}

/**
 * Desired vs observed → ordered actions (pure). Nothing is created only to be suspended or
 * cancelled; a terminal subscription or licence is replaced under the next epoch, never reused;
 * an invalid customer parks before any call; too many revocations wait for confirmation. A
 * contract whose platform owner changed has its subscription cancelled (licences revoked) and,
 * when active, a new one created under the next epoch for the new owner.
 */
export function planReconcile(desired: DesiredState, observed: ObservedState, options: PlanOptions): ReconcilePlan {
  const { decision } = desired;
  const sub = observed.subscription;
  const moved = ownershipChange(desired, observed);
  // The previous owner's subscription is never resumed nor given licences: it ends here.
  const ownerLeft = moved !== null && sub !== null && sub.status !== 'cancelled';
  const subLive = sub !== null && sub.status !== 'cancelled' && !ownerLeft;
  let ownership: string | null = null;
  const live = observed.licences.filter(isLive);
  const wanted = new Map(desired.licences.map((d) => [d.platformProductId, d]));
  const actions: ReconcileAction[] = [];
  let epoch = observed.epoch;
  let park: PlanPark | null = null;
  const warnings = [...desired.warnings];
  const revokeAll = (): void => {
    for (const l of live) actions.push({ kind: 'revoke-licence', platformProductId: l.platformProductId });
  };
  const endPreviousOwner = (): void => {
    if (!ownerLeft || moved === null) return;
    revokeAll();
    actions.push({ kind: 'set-subscription-status', status: 'cancelled', reason: 'other' });
    ownership = moved.note;
  };

  if (decision.target === 'cancelled') {
    revokeAll();
    if (subLive || ownerLeft) actions.push({ kind: 'set-subscription-status', status: 'cancelled', reason: decision.reason });
  } else if (decision.target === 'suspended' || decision.target === 'not-yet') {
    if (ownerLeft) endPreviousOwner();
    else if (!subLive) revokeAll();
    else {
      actions.push(...keepLicences(live, wanted, 'blocked'));
      if (sub.status !== 'suspended') actions.push({ kind: 'set-subscription-status', status: 'suspended', reason: decision.reason });
    }
  } else if (decision.target === 'active' && desired.licences.length === 0) {
    // Touches the platform only for what is already there: the IoT products left the contract.
    if (ownerLeft) endPreviousOwner();
    else revokeAll();
    if (subLive && sub.status === 'suspended') actions.push({ kind: 'set-subscription-status', status: 'active', reason: 'other' });
  } else if (decision.target === 'active') {
    const newSubscription = !subLive;
    if (newSubscription && sub !== null) epoch = observed.epoch + 1;
    const customer = desired.customer;
    // A recorded customer found by another document is not this customer any more (corrected CPF/CNPJ).
    const customerKnown =
      customer.ok &&
      observed.customer.ref !== null &&
      !ownerLeft &&
      (observed.customer.documentKey == null || observed.customer.documentKey === documentKey(customer.input.document));
    if (!customer.ok) {
      if (newSubscription || observed.customer.ref === null) {
        park = { reason: 'invalid_customer', detail: `Invalid customer ${customer.field}: ${customer.reason}` };
      } else warnings.push(`customer data not sent: invalid ${customer.field} (${customer.reason})`);
    } else if (!customerKnown) {
      actions.push({ kind: 'ensure-customer', input: customer.input, fingerprint: customer.fingerprint });
    } else if (observed.customer.fingerprint !== customer.fingerprint) {
      actions.push({ kind: 'update-customer', input: customer.input, fingerprint: customer.fingerprint });
    }
    if (park === null) {
      const kept = newSubscription ? [] : live;
      if (ownerLeft) endPreviousOwner();
      else if (newSubscription) revokeAll();
      // A contract re-created (or reactivated) under another customer after its cancellation.
      if (newSubscription && moved !== null) ownership = moved.note;
      actions.push(...keepLicences(kept, wanted, 'active').filter((a) => a.kind === 'revoke-licence'));
      if (newSubscription) {
        actions.push({ kind: 'create-subscription', externalId: subscriptionExternalId(options.tenantId, desired.contractId, epoch), epoch });
      } else if (sub.status !== 'active') {
        actions.push({ kind: 'set-subscription-status', status: 'active', reason: 'other' });
      }
      for (const d of desired.licences) {
        if (kept.some((l) => l.platformProductId === d.platformProductId)) continue;
        const previous = observed.licences.find((l) => l.platformProductId === d.platformProductId);
        const licenceEpoch = previous === undefined ? 1 : previous.ref !== null ? previous.epoch + 1 : previous.epoch;
        actions.push({
          kind: 'create-licence',
          platformProductId: d.platformProductId,
          externalId: licenceExternalId(options.tenantId, desired.contractId, d.platformProductId, licenceEpoch),
          epoch: licenceEpoch,
          items: itemsOf(d),
          description: d.description,
        });
      }
      actions.push(...keepLicences(kept, wanted, 'active').filter((a) => a.kind !== 'revoke-licence'));
    }
  }

  const destructive = actions.filter(
    (a) => a.kind === 'revoke-licence' || (a.kind === 'set-subscription-status' && a.status === 'cancelled'),
  ).length;
  park ??= blastRadiusPark(destructive, options);
  return { contractId: desired.contractId, target: decision.target, rule: decision.rule, why: decision.why, actions, park, destructive, epoch, ownership, warnings };
}
