import type { EntityManager } from 'typeorm';
import { LicencaIot, LicencaProdutoIot, type LicencaStatus } from '../../entities';
import type { LicenseStatus } from '../ports/iot-platform';

/** One licence as it should appear in IXC's "Licença IoT" tab. */
export interface LicenceWrite {
  platformProductId: string;
  ref: string;
  code: string | null;
  status: LicenseStatus | null;
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
export function statusLetter(status: LicenseStatus | null): LicencaStatus {
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

/**
 * Writes `licencas_iot` (one row per licence) and `licencas_produtos_iot` (one row per
 * contributing line), touching only rows whose content changes (principle 8: the worker never
 * triggers itself through no-op writes). A licence replaced under a new epoch gets a new row; the
 * replaced one keeps its row, id, code and I (DESIGN.md § The tab). Returns the row id per
 * platform product (its newest licence's, when `licences` lists the replaced ones first).
 */
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
 * The row id per platform product when `writeLicencas` would write nothing (every licence has its
 * row, with the same content and item rows); null when it has something to write.
 */
export function currentLicencaIds(
  ctx: LicencaContext,
  licences: readonly LicenceWrite[],
  existing: readonly LicencaIot[],
  existingItems: readonly LicencaProdutoIot[],
): Map<string, number> | null {
  const ids = new Map<string, number>();
  for (const licence of licences) {
    const row = rowOf(licence, existing);
    if (row === undefined || Object.keys(changed(row, wantedRow(ctx, licence))).length > 0) return null;
    if (licence.lines !== null) {
      const items = itemChanges(licence.lines, existingItems.filter((i) => i.idLicencaIot === row.id));
      if (items.deletes.length + items.updates.length + items.inserts.length > 0) return null;
    }
    ids.set(licence.platformProductId, row.id);
  }
  return ids;
}

/**
 * `consecutiveIds`: the server gives a multi-row INSERT consecutive ids (consecutiveInsertIds), so
 * a contract's new licence rows go in one statement; otherwise one per row, for its id.
 */
export async function writeLicencas(
  manager: EntityManager,
  ctx: LicencaContext,
  licences: readonly LicenceWrite[],
  existing: readonly LicencaIot[],
  existingItems: readonly LicencaProdutoIot[],
  consecutiveIds = false,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const newItems: Array<Pick<LicencaProdutoIot, 'idLicencaIot' | 'idVdContratoProduto' | 'quantidade'>> = [];
  const newRow = (licence: LicenceWrite): Partial<LicencaIot> => ({
    ...wantedRow(ctx, licence),
    idClienteIntegracao: licence.belongsTo ? licence.belongsTo.customerRef : ctx.customerRef,
    idAssinaturaIntegracao: licence.belongsTo ? licence.belongsTo.subscriptionRef : ctx.subscriptionRef,
  });
  const fresh = licences.filter((licence) => rowOf(licence, existing) === undefined);
  const freshIds = new Map<LicenceWrite, number>();
  if (consecutiveIds && fresh.length > 1) {
    const inserted = await manager.insert(LicencaIot, fresh.map(newRow));
    fresh.forEach((licence, i) => freshIds.set(licence, Number((inserted.identifiers[i] as { id: number }).id)));
  }
  for (const licence of licences) {
    const wanted = wantedRow(ctx, licence);
    const row = rowOf(licence, existing);
    let rowId: number;
    if (row === undefined) {
      const batched = freshIds.get(licence);
      rowId = batched ?? Number(((await manager.insert(LicencaIot, newRow(licence))).identifiers[0] as { id: number }).id);
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
