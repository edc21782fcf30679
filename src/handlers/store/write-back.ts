import type { EntityManager } from 'typeorm';
import { LicencaIot } from '../../entities';
import { q } from '../../migrations/schema-names';
import type { DesiredState } from '../desired/desired-state';
import { documentKey } from '../domain/document-key';
import type { ObservedLicence, ObservedState } from '../plan/observed-state';
import type { Claim } from '../work-set/work-set-claim';
import type { WorkSet } from '../work-set/work-set';
import type { ContractStateColumns } from '../work-set/work-set-lease';
import type { RecordedState } from './load-recorded-state';
import { saveCustomerSync } from './customer-sync';
import { consecutiveInsertIds } from './consecutive-insert-ids';
import { currentLicencaIds, writeLicencas, type LicenceWrite } from './write-licencas';

export interface WriteBackInput {
  claim: Claim;
  desired: DesiredState;
  /** The state after the plan was applied. */
  final: ObservedState;
  recorded: RecordedState;
  integrationId: number;
  outcome: string;
  planJson: string;
  /** The plan's change of platform owner ("ownership changed from cliente X to Y"), if any. */
  ownership: string | null;
  /** The customer's sync row was already committed by this reconcile (find-or-create or update under its lock). */
  customerSaved: boolean;
}

/** Parameters: per row (contract_id, product, epoch, licenca_iot_id, license_ref, external_id, code, status, quantity). */
const LICENSE_UPSERT_SQL = (s: string, rows: number) => `INSERT INTO ${s}.\`license_sync\`
  (contract_id, platform_product_id, epoch, licenca_iot_id, license_ref, external_id, code, status, quantity)
VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
ON DUPLICATE KEY UPDATE epoch = VALUES(epoch), licenca_iot_id = VALUES(licenca_iot_id), license_ref = VALUES(license_ref),
  external_id = VALUES(external_id), code = VALUES(code), status = VALUES(status), quantity = VALUES(quantity)`;

/**
 * Write-back and release in ONE transaction (DESIGN.md § Leases and fencing). Its first statement
 * is the fenced release with the contract's state: it matches only while our lease is live and no
 * newer generation arrived, and locks the sync row until COMMIT, so a worker that lost its lease
 * writes nothing and none can take over midway. When it matches nothing, the row is re-locked and
 * checked (a lost lease throws; a newer generation keeps the mark) and released after the writes.
 * Then IXC's licence rows and the sync rows, only those that changed. A reconcile with nothing to
 * write but the release (most of a burst's: the contract was already in step) is that one
 * statement without a transaction.
 */
export async function writeBack(db: EntityManager, workSet: WorkSet, input: WriteBackInput): Promise<{ newerGeneration: boolean }> {
  const s = q(workSet.syncSchema);
  const { claim, desired, final, recorded } = input;
  const sub = final.subscription;
  const licencaCtx = { contractId: claim.contractId, integrationId: input.integrationId, customerRef: final.customer.ref, subscriptionRef: sub?.ref ?? null };
  // Only what changed is written: most reconciles of a burst find nothing new (principle 8 for our own rows too).
  const state: ContractStateColumns = {
    epoch: final.epoch,
    customerRef: final.customer.ref,
    subscriptionRef: sub?.ref ?? null,
    subscriptionExternalId: sub?.externalId ?? null,
    subscriptionStatus: sub?.status ?? null,
    ...ownerAfter(desired, final, recorded),
    ownerChange: input.ownership ?? recorded.contractRow?.ownerChange ?? null,
  };
  const row = recorded.contractRow;
  const stateChanged = row === null || (Object.keys(state) as Array<keyof ContractStateColumns>).some((k) => row[k] !== state[k]);
  const customerKnown = recorded.customerRow?.ref === final.customer.ref && recorded.customerRow?.fingerprint === final.customer.fingerprint;
  const customerToSave = desired.customer.ok && final.customer.ref !== null && !input.customerSaved && !customerKnown ? desired.customer : null;
  const writes = licenceWrites(desired, final, recorded);

  const current = currentLicencaIds(licencaCtx, writes, recorded.licencas, recorded.licencaItems);
  if (current !== null && !stateChanged && customerToSave === null) {
    const nothingElse = staleRows(final, recorded, current).length === 0 && licenceSyncRows(claim.contractId, final, recorded, current).length === 0;
    if (nothingElse && (await workSet.releaseIfCurrent(claim, input.outcome, input.planJson, { manager: db }))) return { newerGeneration: false };
  }

  const consecutiveIds = await consecutiveInsertIds(db);
  // On a named lock's manager this transaction runs on the lock's connection.
  return db.transaction(async (manager) => {
    const released = await workSet.releaseIfCurrent(claim, input.outcome, input.planJson, { manager, state: stateChanged ? state : undefined });
    const fence = released ? { newerGeneration: false } : await workSet.assertHeld(manager, claim);
    if (customerToSave) {
      await saveCustomerSync(manager, workSet.syncSchema, {
        clienteId: customerToSave.clienteId,
        document: customerToSave.input.document,
        customerRef: final.customer.ref as string,
        fingerprint: final.customer.fingerprint,
      });
    }
    const rowIds = await writeLicencas(manager, licencaCtx, writes, recorded.licencas, recorded.licencaItems, consecutiveIds);
    // Native rows whose ids the platform no longer knows are shown as inactive, never deleted.
    for (const id of staleRows(final, recorded, rowIds)) await manager.update(LicencaIot, { id }, { status: 'I' });
    const licenceRows = licenceSyncRows(claim.contractId, final, recorded, rowIds);
    if (licenceRows.length > 0) await manager.query(LICENSE_UPSERT_SQL(s, licenceRows.length), licenceRows.flat());
    if (!released) await workSet.release(manager, claim, input.outcome, input.planJson, stateChanged ? state : undefined);
    return fence;
  });
}

/**
 * Whose platform customer holds the subscription after this reconcile (DESIGN.md § Ownership): the
 * desired customer for a subscription created now or never attributed, or one whose document is
 * the owner's (the contract moved to a duplicate IXC customer: the same platform customer);
 * otherwise the recorded owner stays, so a change of owner is still seen by the next plan.
 */
function ownerAfter(
  desired: DesiredState,
  final: ObservedState,
  recorded: RecordedState,
): Pick<ContractStateColumns, 'ownerClienteId' | 'ownerDocumentKey'> {
  const row = recorded.contractRow;
  const kept = { ownerClienteId: row?.ownerClienteId ?? null, ownerDocumentKey: row?.ownerDocumentKey ?? null };
  const sub = final.subscription;
  if (!desired.customer.ok || sub === null || sub.status === 'cancelled') return kept;
  const key = documentKey(desired.customer.input.document);
  const created = sub.ref !== recorded.observed.subscription?.ref;
  if (created || kept.ownerDocumentKey === null || kept.ownerDocumentKey === key) return { ownerClienteId: desired.customer.clienteId, ownerDocumentKey: key };
  return kept;
}

/** IXC's licence rows as the final state wants them; licences replaced in this run first, so the product's id is its newest row's. */
function licenceWrites(desired: DesiredState, final: ObservedState, recorded: RecordedState): LicenceWrite[] {
  const wanted = new Map(desired.licences.map((d) => [d.platformProductId, d]));
  const writes: LicenceWrite[] = [];
  for (const l of final.retired ?? []) {
    if (l.ref === null) continue;
    const previous = recorded.licencas.find((r) => r.id === l.licencaIotId)?.descricao;
    writes.push({
      ...licenceWrite(l, l.ref, previous ?? wanted.get(l.platformProductId)?.description, null),
      belongsTo: { customerRef: recorded.contractRow?.customerRef ?? null, subscriptionRef: recorded.observed.subscription?.ref ?? null },
    });
  }
  for (const l of final.licences) {
    if (l.ref === null) continue;
    const d = wanted.get(l.platformProductId);
    const previous = recorded.licencas.find((r) => r.id === l.licencaIotId)?.descricao;
    writes.push(licenceWrite(l, l.ref, d?.description ?? previous, l.status === 'revoked' || d === undefined ? null : d.lines));
  }
  return writes;
}

/** Native rows the platform no longer knows, not yet shown as inactive. */
function staleRows(final: ObservedState, recorded: RecordedState, rowIds: ReadonlyMap<string, number>): number[] {
  const used = new Set(rowIds.values());
  return (final.staleRows ?? []).filter((id) => {
    if (used.has(id)) return false;
    const row = recorded.licencas.find((r) => r.id === id);
    return row !== undefined && row.status !== 'I';
  });
}

/** `license_sync` rows whose content changes: one per licence epoch, replaced licences included. */
function licenceSyncRows(contractId: number, final: ObservedState, recorded: RecordedState, rowIds: ReadonlyMap<string, number>): unknown[][] {
  const rows: unknown[][] = [];
  const retired = new Set(final.retired ?? []);
  for (const l of [...retired, ...final.licences]) {
    if (l.ref === null) continue;
    const rowId = retired.has(l) ? l.licencaIotId : (rowIds.get(l.platformProductId) ?? l.licencaIotId);
    const values = [l.epoch, rowId, l.ref, l.externalId, l.code, l.status, l.quantity];
    const was = recorded.observed.licences.find((r) => r.platformProductId === l.platformProductId && r.epoch === l.epoch);
    const before = was ? [was.epoch, was.licencaIotId, was.ref, was.externalId, was.code, was.status, was.quantity] : null;
    if (before === null || values.some((v, i) => v !== before[i])) rows.push([contractId, l.platformProductId, ...values]);
  }
  return rows;
}

/** One licence's row as written back; a licence without a description falls back to its product. */
function licenceWrite(l: ObservedLicence, ref: string, description: string | null | undefined, lines: LicenceWrite['lines']): LicenceWrite {
  return {
    platformProductId: l.platformProductId,
    ref,
    code: l.code,
    status: l.status,
    description: description ?? `Produto IoT ${l.platformProductId}`,
    licencaIotId: l.licencaIotId,
    lines,
  };
}
