import type { EntityManager } from 'typeorm';
import { LicencaIot, LicencaProdutoIot } from '../../entities';
import { q } from '../../migrations/schema-names';
import type { LicenseStatus, SubscriptionStatus } from '../ports/iot-platform';
import { parseIntent, type ObservedLicence, type ObservedState } from '../plan/observed-state';
import type { ContractStateColumns } from '../work-set/work-set-lease';

/** What the project recorded for a contract, plus IXC's own licence rows (write-back and adoption). */
export interface RecordedState {
  observed: ObservedState;
  /** The sync row's own columns as stored (null: no row), so the write-back skips unchanged state. */
  contractRow: ContractStateColumns | null;
  /** The customer's sync row as stored (null: none). */
  customerRow: { ref: string | null; fingerprint: string | null } | null;
  licencas: LicencaIot[];
  licencaItems: LicencaProdutoIot[];
}

/** The contracts' sync rows. Parameters: (contract_ids). */
const CONTRACT_ROWS_SQL = (s: string) => `SELECT contract_id, epoch, intent, customer_ref, subscription_ref, subscription_external_id, subscription_status,
  owner_cliente_id, owner_document, owner_change FROM ${s}.\`contract_sync\` WHERE contract_id IN (?)`;
/** The customers' sync rows. Parameters: (cliente_ids). */
const CUSTOMER_ROWS_SQL = (s: string) => `SELECT cliente_id, customer_ref, fingerprint, document FROM ${s}.\`customer_sync\` WHERE cliente_id IN (?)`;

/** Every epoch of each licence, oldest first (the newest is the one the plan works on). Parameters: (contract_ids). */
const LICENSE_SYNC_SQL = (s: string) => `SELECT contract_id, platform_product_id, epoch, licenca_iot_id, license_ref, external_id, code, status, quantity
  FROM ${s}.\`license_sync\` WHERE contract_id IN (?) ORDER BY contract_id, platform_product_id, epoch`;

interface ContractRowRecord {
  contract_id: number | string;
  epoch: number;
  intent: string | null;
  customer_ref: string | null;
  subscription_ref: string | null;
  subscription_external_id: string | null;
  subscription_status: string | null;
  owner_cliente_id: number | string | null;
  /** The owner's document key. */
  owner_document: string | null;
  owner_change: string | null;
}
interface CustomerRowRecord {
  cliente_id: number | string;
  customer_ref: string | null;
  fingerprint: string | null;
  /** The document's key (src/handlers/domain/document-key.ts). */
  document: string | null;
}
interface LicenseSyncRecord {
  contract_id: number | string;
  platform_product_id: string;
  epoch: number;
  licenca_iot_id: number | null;
  license_ref: string | null;
  external_id: string | null;
  code: string | null;
  status: string | null;
  quantity: number;
}

/**
 * `integrationId` limits IXC's licence rows to this deployment's integration (and rows with none,
 * as older IXC versions write them): rows of another integration are never adopted or touched.
 */
export async function loadRecordedState(
  manager: EntityManager,
  syncSchema: string,
  contractId: number,
  clienteId: number | null,
  integrationId?: number,
): Promise<RecordedState> {
  const states = await loadRecordedStates(manager, syncSchema, [{ contractId, clienteId }], integrationId);
  return states.get(contractId) as RecordedState;
}

/** `loadRecordedState` for many contracts in five statements at most, whatever their number. */
export async function loadRecordedStates(
  manager: EntityManager,
  syncSchema: string,
  contracts: ReadonlyArray<{ contractId: number; clienteId: number | null }>,
  integrationId?: number,
): Promise<Map<number, RecordedState>> {
  const states = new Map<number, RecordedState>();
  if (contracts.length === 0) return states;
  const s = q(syncSchema);
  const ids = contracts.map((c) => c.contractId);
  const clienteIds = [...new Set(contracts.map((c) => c.clienteId).filter((id): id is number => id !== null))];
  const syncRows = (await manager.query(CONTRACT_ROWS_SQL(s), [ids])) as ContractRowRecord[];
  const customerRows = clienteIds.length === 0 ? [] : ((await manager.query(CUSTOMER_ROWS_SQL(s), [clienteIds])) as CustomerRowRecord[]);
  const licenceRows = (await manager.query(LICENSE_SYNC_SQL(s), [ids])) as LicenseSyncRecord[];
  const licencaQuery = manager.createQueryBuilder(LicencaIot, 'l').where('l.idContrato IN (:...ids)', { ids });
  if (integrationId !== undefined) licencaQuery.andWhere('(l.idIntegracao = :integrationId OR l.idIntegracao IS NULL)', { integrationId });
  const licencas = await licencaQuery.orderBy('l.id', 'ASC').getMany();
  const licencaItems =
    licencas.length === 0 ? [] : await manager.createQueryBuilder(LicencaProdutoIot, 'lp').where('lp.idLicencaIot IN (:...ids)', { ids: licencas.map((l) => l.id) }).getMany();

  const syncById = new Map(syncRows.map((r) => [Number(r.contract_id), r]));
  const customerById = new Map(customerRows.map((r) => [Number(r.cliente_id), r]));
  for (const { contractId, clienteId } of contracts) {
    const sync = syncById.get(contractId);
    const customerRow = clienteId === null ? undefined : customerById.get(clienteId);
    // A row holding neither a reference nor a fingerprint says nothing about the customer.
    const customer = customerRow?.customer_ref == null && customerRow?.fingerprint == null ? undefined : customerRow;
    const ownLicencas = licencas.filter((l) => l.idContrato === contractId);
    const ownIds = new Set(ownLicencas.map((l) => l.id));
    states.set(
      contractId,
      toRecordedState(
        sync,
        customer,
        clienteId,
        licenceRows.filter((r) => Number(r.contract_id) === contractId),
        ownLicencas,
        licencaItems.filter((i) => ownIds.has(i.idLicencaIot)),
      ),
    );
  }
  return states;
}

function toRecordedState(
  sync: ContractRowRecord | undefined,
  customer: CustomerRowRecord | undefined,
  clienteId: number | null,
  licenceRows: readonly LicenseSyncRecord[],
  licencas: LicencaIot[],
  licencaItems: LicencaProdutoIot[],
): RecordedState {
  const newest = new Map<string, LicenseSyncRecord>();
  for (const r of licenceRows) newest.set(r.platform_product_id, r);
  const licences: ObservedLicence[] = [...newest.values()].map((r) => ({
    platformProductId: r.platform_product_id,
    ref: r.license_ref,
    externalId: r.external_id,
    code: r.code,
    status: (r.status as LicenseStatus | null) ?? null,
    quantity: Number(r.quantity),
    epoch: Number(r.epoch),
    licencaIotId: r.licenca_iot_id === null ? null : Number(r.licenca_iot_id),
  }));
  const ownerClienteId = sync?.owner_cliente_id == null ? null : Number(sync.owner_cliente_id);
  // The contract's own customer reference stands for the desired customer only while that customer
  // owns the contract: after an ownership change it is the previous owner's.
  const contractCustomerRef = ownerClienteId === null || ownerClienteId === clienteId ? (sync?.customer_ref ?? null) : null;
  const observed: ObservedState = {
    source: 'recorded',
    epoch: sync ? Number(sync.epoch) : 1,
    intent: parseIntent(sync?.intent ?? null),
    customer: { ref: customer?.customer_ref ?? contractCustomerRef, fingerprint: customer?.fingerprint ?? null, documentKey: customer?.document ?? null },
    owner: sync && (ownerClienteId !== null || sync.owner_document !== null) ? { clienteId: ownerClienteId, documentKey: sync.owner_document } : null,
    subscription:
      sync?.subscription_ref != null
        ? { ref: sync.subscription_ref, externalId: sync.subscription_external_id, status: (sync.subscription_status as SubscriptionStatus | null) ?? 'active' }
        : null,
    licences,
  };
  const contractRow: ContractStateColumns | null = sync
    ? {
        epoch: Number(sync.epoch),
        customerRef: sync.customer_ref,
        subscriptionRef: sync.subscription_ref,
        subscriptionExternalId: sync.subscription_external_id,
        subscriptionStatus: sync.subscription_status,
        ownerClienteId,
        ownerDocumentKey: sync.owner_document,
        ownerChange: sync.owner_change,
      }
    : null;
  const customerRow = customer ? { ref: customer.customer_ref, fingerprint: customer.fingerprint } : null;
  return { observed, contractRow, customerRow, licencas, licencaItems };
}
