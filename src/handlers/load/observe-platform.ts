import { parseContractExternalId, subscriptionExternalId } from '../domain/external-refs';
import type { CallContext, IotPlatform, PlatformLicence } from '../ports/iot-platform';
import type { ObservedLicence, ObservedState } from '../plan/observed-state';
import type { RecordedState } from './load-plan-inputs';

export interface ObserveInput {
  contractId: number;
  tenantId: string;
  recorded: RecordedState;
  /** Diff against the platform itself (DESIGN.md § Drift). */
  verify: boolean;
  ctx: CallContext;
}

const quantityOf = (l: PlatformLicence): number => l.items.reduce((n, i) => n + i.quantity, 0);
const productOf = (l: PlatformLicence): string | null => l.items[0]?.productId ?? parseContractExternalId(l.externalId ?? '')?.productId ?? null;

function fromPlatform(l: PlatformLicence, base: Partial<ObservedLicence>): ObservedLicence {
  return {
    platformProductId: base.platformProductId ?? productOf(l) ?? '',
    ref: l.id,
    externalId: l.externalId,
    code: l.code,
    status: l.status,
    quantity: quantityOf(l),
    epoch: base.epoch ?? parseContractExternalId(l.externalId ?? '')?.epoch ?? 1,
    licencaIotId: base.licencaIotId ?? null,
  };
}

/**
 * The IXC row a licence found on the platform takes over: the recorded one when it is the same
 * licence (or none was created yet); a replacement gets a row of its own, and the licence it
 * replaces is kept aside with its row (DESIGN.md § The tab: one row per licence, for ever).
 */
function ownRow(observed: ObservedState, current: ObservedLicence | undefined, found: PlatformLicence): number | null {
  if (current === undefined) return null;
  if (current.ref === null || current.ref === found.id) return current.licencaIotId;
  observed.retired = [...(observed.retired ?? []), current];
  return null;
}

function upsertLicence(observed: ObservedState, licence: ObservedLicence): void {
  const i = observed.licences.findIndex((l) => l.platformProductId === licence.platformProductId);
  if (i >= 0) observed.licences[i] = licence;
  else observed.licences.push(licence);
}

/**
 * Completes the recorded state with reads only: an intent without ids is resolved by external
 * reference (a create whose write-back was lost); native ids found in `licencas_iot` are adopted
 * after a GET; in verify mode, the platform's subscription and licences replace the records.
 */
export async function observePlatform(platform: IotPlatform, input: ObserveInput): Promise<ObservedState> {
  const { recorded, ctx } = input;
  const observed: ObservedState = structuredClone(recorded.observed);
  const intent = observed.intent;

  if (intent && (observed.subscription === null || intent.epoch > observed.epoch)) {
    const found = await platform.findSubscriptionByExternalId(intent.subscriptionExternalId, ctx);
    if (found) {
      // A newer subscription whose write-back was lost (an ownership move among them) was created
      // for the customer the intent was made for, not the recorded owner: the plan must not end it.
      if (intent.epoch > observed.epoch) observed.owner = null;
      observed.subscription = { ref: found.id, externalId: found.externalId, status: found.status };
      observed.epoch = intent.epoch;
    }
  }
  if (!observed.subscription && !intent) await adopt(platform, input, observed);
  if (input.verify) {
    const ref = observed.subscription?.ref;
    const sub = ref
      ? await platform.getSubscription(ref, ctx)
      : await platform.findSubscriptionByExternalId(subscriptionExternalId(input.tenantId, input.contractId, observed.epoch), ctx);
    observed.source = 'platform';
    observed.subscription = sub ? { ref: sub.id, externalId: sub.externalId, status: sub.status } : null;
  }

  const subRef = observed.subscription?.ref;
  if (subRef && intent) {
    for (const [pid, intended] of Object.entries(intent.licences)) {
      const current = observed.licences.find((l) => l.platformProductId === pid);
      if (current?.externalId === intended.externalId && current.ref !== null) continue;
      const found = await platform.findLicenceByExternalId(subRef, intended.externalId, ctx);
      if (found) upsertLicence(observed, fromPlatform(found, { platformProductId: pid, epoch: intended.epoch, licencaIotId: ownRow(observed, current, found) }));
      else if (current === undefined) upsertLicence(observed, { platformProductId: pid, ref: null, externalId: intended.externalId, code: null, status: null, quantity: 0, epoch: intended.epoch, licencaIotId: null });
    }
  }
  if (input.verify) {
    const onPlatform = subRef ? await platform.listLicences(subRef, ctx) : [];
    for (const l of observed.licences) {
      if (l.ref === null) continue;
      const there = onPlatform.find((p) => p.id === l.ref);
      // A licence gone from the platform counts as revoked: the next one takes the next epoch.
      if (there === undefined) Object.assign(l, { status: 'revoked' });
      else Object.assign(l, fromPlatform(there, l));
    }
    for (const p of onPlatform) {
      const pid = productOf(p);
      if (pid === null || p.status === 'revoked' || observed.licences.some((l) => l.ref === p.id)) continue;
      const mine = parseContractExternalId(p.externalId ?? '');
      const current = observed.licences.find((l) => l.platformProductId === pid);
      if (mine?.contractId === input.contractId && (current === undefined || current.status === 'revoked' || current.ref === null)) {
        upsertLicence(observed, fromPlatform(p, { platformProductId: pid, licencaIotId: ownRow(observed, current, p) }));
      }
    }
  }
  return observed;
}

/** Adoption (DESIGN.md § Adoption): Olli ids IXC's native integration wrote, verified with a GET. */
async function adopt(platform: IotPlatform, input: ObserveInput, observed: ObservedState): Promise<void> {
  const rows = input.recorded.licencas.filter((r) => r.idAssinaturaIntegracao || r.idLicencaIntegracao);
  if (rows.length === 0) return;
  const subId = rows.find((r) => r.idAssinaturaIntegracao)?.idAssinaturaIntegracao;
  if (subId) {
    const sub = await platform.getSubscription(subId, input.ctx);
    if (sub && sub.status !== 'cancelled') {
      observed.subscription = { ref: sub.id, externalId: sub.externalId, status: sub.status };
      if (observed.customer.ref === null) observed.customer = { ref: sub.customerId, fingerprint: null };
    }
  }
  for (const row of rows) {
    if (!row.idLicencaIntegracao || observed.licences.some((l) => l.ref === row.idLicencaIntegracao)) continue;
    const licence = await platform.getLicence(row.idLicencaIntegracao, input.ctx);
    if (licence === null || licence.status === 'revoked') {
      observed.staleRows = [...(observed.staleRows ?? []), row.id];
      continue;
    }
    if (productOf(licence) === null) continue;
    upsertLicence(observed, fromPlatform(licence, { licencaIotId: row.id, epoch: 1 }));
  }
}
