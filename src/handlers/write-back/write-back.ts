import type { DataSource, EntityManager } from 'typeorm';
import { LicencaIot, type LicencaStatus } from '../../entities/ixc/licenca-iot.entity';
import { LicencaProdutoIot } from '../../entities/ixc/licenca-produto-iot.entity';
import { q } from '../../migrations/schema-names';
import { saveCustomerSync } from '../apply/ensure-customer';
import { documentKey } from '../domain/document-key';
import type { RecordedState } from '../load/load-plan-inputs';
import type { DesiredState } from '../plan/desired-state';
import type { ObservedLicence, ObservedState } from '../plan/observed-state';
import type { LicenceStatus } from '../ports/iot-platform';
import type { Claim } from '../work-set/work-set-claim';
import type { WorkSet } from '../work-set/work-set';
import type { ContractStateColumns } from '../work-set/work-set-lease';

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

/** Parameters: per row (contract_id, product, epoch, licenca_iot_id, licence_ref, external_id, code, status, quantity). */
const LICENCE_UPSERT_SQL = (s: string, rows: number) => `INSERT INTO ${s}.\`licence_sync\`
  (contract_id, platform_product_id, epoch, licenca_iot_id, licence_ref, external_id, code, status, quantity)
VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
ON DUPLICATE KEY UPDATE epoch = VALUES(epoch), licenca_iot_id = VALUES(licenca_iot_id), licence_ref = VALUES(licence_ref),
  external_id = VALUES(external_id), code = VALUES(code), status = VALUES(status), quantity = VALUES(quantity)`;

/**
 * Write-back and release in ONE fenced transaction, the only way a reconcile ends well (DESIGN.md
 * § Leases and fencing). Its first statement is the release with the contract's state: it matches
 * only while our lease is live, keeps the mark when a newer generation arrived, and locks the sync
 * row until COMMIT, so a worker that lost its lease writes nothing (LeaseLostError rolls the
 * transaction back) and none can take over midway. Then the customer's sync row, IXC's licence
 * rows and the licence sync rows, only those that changed (principle 8 for our own rows too).
 */
export async function writeBack(dataSource: DataSource, workSet: WorkSet, input: WriteBackInput): Promise<{ newerGeneration: boolean }> {
  const s = q(workSet.syncSchema);
  const { claim, desired, final, recorded } = input;
  const sub = final.subscription;
  const licencaCtx = { contractId: claim.contractId, integrationId: input.integrationId, customerRef: final.customer.ref, subscriptionRef: sub?.ref ?? null };
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

  return dataSource.transaction(async (manager) => {
    const fence = await workSet.release(manager, claim, input.outcome, input.planJson, stateChanged ? state : undefined);
    if (customerToSave) {
      await saveCustomerSync(manager, workSet.syncSchema, {
        clienteId: customerToSave.clienteId,
        document: customerToSave.input.document,
        customerRef: final.customer.ref as string,
        fingerprint: final.customer.fingerprint,
      });
    }
    const rowIds = await writeLicencas(manager, licencaCtx, writes, recorded.licencas, recorded.licencaItems);
    // Native rows whose ids the platform no longer knows are shown as inactive, never deleted.
    for (const id of staleRows(final, recorded, rowIds)) await manager.update(LicencaIot, { id }, { status: 'I' });
    const licenceRows = licenceSyncRows(claim.contractId, final, recorded, rowIds);
    if (licenceRows.length > 0) await manager.query(LICENCE_UPSERT_SQL(s, licenceRows.length), licenceRows.flat());
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

/** `licence_sync` rows whose content changes: one per licence epoch, replaced licences included. */
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

/** One licence as it should appear in IXC's "Licença IoT" tab. */
export interface LicenceWrite {
  platformProductId: string;
  ref: string;
  code: string | null;
  status: LicenceStatus | null;
  description: string;
  /** Its `licencas_iot` row, when known. */
  licencaIotId: number | null;
  /** Contributing lines; null leaves the item rows as they are (a revoked licence). */
  lines: Array<{ lineId: number; quantity: number }> | null;
  /** A replaced licence's own customer and subscription, for a history row written only now. */
  belongsTo?: { customerRef: string | null; subscriptionRef: string | null };
}

export interface LicencaContext {
  contractId: number;
  integrationId: number;
  customerRef: string | null;
  subscriptionRef: string | null;
}

/** Platform status → `licencas_iot.status` letter (iot-platform-api.md §2.7). */
export function statusLetter(status: LicenceStatus | null): LicencaStatus {
  switch (status) {
    case 'active':
      return 'A';
    case 'blocked':
      return 'B';
    case 'revoked':
    case 'inactive':
      return 'I';
    default:
      return 'P';
  }
}

function changed<T extends object>(current: T, wanted: Partial<T>): Partial<T> {
  const diff: Partial<T> = {};
  for (const key of Object.keys(wanted) as Array<keyof T>) {
    if (current[key] !== wanted[key]) diff[key] = wanted[key];
  }
  return diff;
}

/** A licence's `licencas_iot` columns as the write-back wants them. */
function wantedRow(ctx: LicencaContext, licence: LicenceWrite): Partial<LicencaIot> {
  const wanted: Partial<LicencaIot> = {
    idContrato: ctx.contractId,
    idIntegracao: ctx.integrationId,
    idLicencaIntegracao: licence.ref,
    codigoLicencaIntegracao: licence.code,
    descricao: licence.description.slice(0, 255),
    status: statusLetter(licence.status),
  };
  // A revoked licence keeps the customer and subscription it belonged to.
  if (licence.status !== 'revoked') {
    wanted.idClienteIntegracao = ctx.customerRef;
    wanted.idAssinaturaIntegracao = ctx.subscriptionRef;
  }
  return wanted;
}

function rowOf(licence: LicenceWrite, existing: readonly LicencaIot[]): LicencaIot | undefined {
  return existing.find((r) => licence.licencaIotId !== null && r.id === licence.licencaIotId) ?? existing.find((r) => r.idLicencaIntegracao === licence.ref);
}

/**
 * Writes `licencas_iot` (one row per licence) and `licencas_produtos_iot` (one row per
 * contributing line), touching only rows whose content changes (principle 8: the worker never
 * triggers itself through no-op writes). A licence replaced under a new epoch gets a new row; the
 * replaced one keeps its row, id, code and I (DESIGN.md § The tab). Returns the row id per
 * platform product (its newest licence's, when `licences` lists the replaced ones first).
 */
async function writeLicencas(
  manager: EntityManager,
  ctx: LicencaContext,
  licences: readonly LicenceWrite[],
  existing: readonly LicencaIot[],
  existingItems: readonly LicencaProdutoIot[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const newItems: Array<Pick<LicencaProdutoIot, 'idLicencaIot' | 'idVdContratoProduto' | 'quantidade'>> = [];
  const newRow = (licence: LicenceWrite): Partial<LicencaIot> => ({
    ...wantedRow(ctx, licence),
    idClienteIntegracao: licence.belongsTo ? licence.belongsTo.customerRef : ctx.customerRef,
    idAssinaturaIntegracao: licence.belongsTo ? licence.belongsTo.subscriptionRef : ctx.subscriptionRef,
  });
  for (const licence of licences) {
    const wanted = wantedRow(ctx, licence);
    const row = rowOf(licence, existing);
    let rowId: number;
    if (row === undefined) {
      // One INSERT per new row: TypeORM reads its id from the statement's insert id.
      rowId = Number(((await manager.insert(LicencaIot, newRow(licence))).identifiers[0] as { id: number }).id);
    } else {
      rowId = row.id;
      const diff = changed(row, wanted);
      if (Object.keys(diff).length > 0) await manager.update(LicencaIot, { id: row.id }, diff);
    }
    ids.set(licence.platformProductId, rowId);
    if (licence.lines !== null) newItems.push(...(await writeItems(manager, rowId, licence.lines, existingItems.filter((i) => i.idLicencaIot === rowId))));
  }
  // One statement for every new item row of the contract.
  if (newItems.length > 0) await manager.insert(LicencaProdutoIot, newItems);
  return ids;
}

/** What one licence's item rows need: rows to delete, quantities to change, lines to add. */
function itemChanges(
  lines: ReadonlyArray<{ lineId: number; quantity: number }>,
  current: readonly LicencaProdutoIot[],
): { deletes: number[]; updates: Array<[number, number]>; inserts: Array<[number, number]> } {
  const wanted = new Map(lines.map((l) => [l.lineId, l.quantity]));
  const seen = new Set<number>();
  const deletes: number[] = [];
  const updates: Array<[number, number]> = [];
  for (const item of current) {
    const quantity = wanted.get(item.idVdContratoProduto);
    if (quantity === undefined || seen.has(item.idVdContratoProduto)) {
      deletes.push(item.id);
      continue;
    }
    seen.add(item.idVdContratoProduto);
    if (Number(item.quantidade) !== quantity) updates.push([item.id, quantity]);
  }
  return { deletes, updates, inserts: [...wanted].filter(([lineId]) => !seen.has(lineId)) };
}

/** Updates and deletes one licence's item rows; returns the rows to insert. */
async function writeItems(
  manager: EntityManager,
  licencaIotId: number,
  lines: ReadonlyArray<{ lineId: number; quantity: number }>,
  current: readonly LicencaProdutoIot[],
): Promise<Array<Pick<LicencaProdutoIot, 'idLicencaIot' | 'idVdContratoProduto' | 'quantidade'>>> {
  const { deletes, updates, inserts } = itemChanges(lines, current);
  for (const id of deletes) await manager.delete(LicencaProdutoIot, { id });
  for (const [id, quantidade] of updates) await manager.update(LicencaProdutoIot, { id }, { quantidade });
  return inserts.map(([lineId, quantity]) => ({ idLicencaIot: licencaIotId, idVdContratoProduto: lineId, quantidade: quantity }));
}
