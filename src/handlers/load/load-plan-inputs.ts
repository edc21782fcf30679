import type { EntityManager } from 'typeorm';
import { Cliente } from '../../entities/ixc/cliente.entity';
import { ClienteContrato } from '../../entities/ixc/cliente-contrato.entity';
import { LicencaIot } from '../../entities/ixc/licenca-iot.entity';
import { LicencaProdutoIot } from '../../entities/ixc/licenca-produto-iot.entity';
import { q } from '../../migrations/schema-names';
import { contractClienteId, type ContractSource, type LineRow, type ProductRow } from '../plan/desired-state';
import type { LicenceStatus, SubscriptionStatus } from '../ports/iot-platform';
import { parseIntent, type ObservedLicence, type ObservedState } from '../plan/observed-state';
import type { ContractStateColumns } from '../work-set/work-set-lease';

/** What a plan is made from, read from the database: IXC's rows and the project's record. */
export interface PlanInputs {
  source: ContractSource;
  recorded: RecordedState;
}

/**
 * The load phase's database read, for any number of contracts (a reconcile's batch of one, the
 * blast-radius guard's whole change, `reconcile --dry-run`'s list): two statements for IXC's rows
 * and five at most for the project's record, whatever the number. The only read path: one loader,
 * one shape of inputs. Measured (docs/benchmarks.md, second round): reading a claimed batch's
 * inputs in seven statements instead of six per contract took a quick drain from 10,656 to 7,250
 * statements and the full drain from 100-106 s to 87-92 s. Read after the claim, the inputs are as
 * fresh as the claim: a change committed later bumps the generation, so the release keeps the
 * contract dirty and it runs again. Every id gets inputs (a missing contract: an empty source).
 */
export async function loadPlanInputs(
  manager: EntityManager,
  syncSchema: string,
  contractIds: readonly number[],
  integrationId?: number,
): Promise<Map<number, PlanInputs>> {
  const sources = await loadContractSources(manager, contractIds);
  const owners = [...sources.values()].map((source) => ({ contractId: source.contractId, clienteId: contractClienteId(source) }));
  const recorded = await loadRecordedStates(manager, syncSchema, owners, integrationId);
  const inputs = new Map<number, PlanInputs>();
  for (const [contractId, source] of sources) {
    const state = recorded.get(contractId);
    if (state) inputs.set(contractId, { source, recorded: state });
  }
  return inputs;
}

/**
 * The contracts' own lines and their plans' template lines (`id_contrato` 0/NULL), each with its
 * product, in one round trip; each half uses its own IXC index. Parameters: (contractIds, planIds).
 */
const LINES_SQL = `SELECT l.id, l.id_vd_contrato, l.id_contrato, l.id_produto, l.qtde, l.descricao, l.id_contrato_produto_plano,
       p.id AS p_id, p.descricao AS p_descricao, p.ativo AS p_ativo, p.id_integracao_iot AS p_id_integracao_iot, p.id_produto_iot AS p_id_produto_iot
  FROM vd_contratos_produtos l LEFT JOIN produtos p ON p.id = l.id_produto
 WHERE l.id_contrato IN (?)
UNION ALL
SELECT l.id, l.id_vd_contrato, l.id_contrato, l.id_produto, l.qtde, l.descricao, l.id_contrato_produto_plano,
       p.id, p.descricao, p.ativo, p.id_integracao_iot, p.id_produto_iot
  FROM vd_contratos_produtos l LEFT JOIN produtos p ON p.id = l.id_produto
 WHERE l.id_vd_contrato IN (?) AND (l.id_contrato = 0 OR l.id_contrato IS NULL)`;

interface LineWithProduct {
  id: number;
  id_vd_contrato: number | null;
  id_contrato: number | null;
  id_produto: number | null;
  qtde: number | string;
  descricao: string | null;
  id_contrato_produto_plano: number | null;
  p_id: number | null;
  p_descricao: string | null;
  p_ativo: string | null;
  p_id_integracao_iot: number | string | null;
  p_id_produto_iot: string | null;
}

const nullableNumber = (v: number | string | null): number | null => (v === null ? null : Number(v));

/**
 * IXC's rows for the contracts as they are now (principle 1: state decides): each contract, its
 * customer, its own and its plan's product lines, and their products, in two statements whatever
 * their number. Read-only.
 */
async function loadContractSources(manager: EntityManager, contractIds: readonly number[]): Promise<Map<number, ContractSource>> {
  const sources = new Map<number, ContractSource>();
  if (contractIds.length === 0) return sources;
  const contracts = (await manager
    .createQueryBuilder(ClienteContrato, 'c')
    .leftJoinAndMapOne('c.cliente', Cliente, 'cl', 'cl.id = c.idCliente')
    .where('c.id IN (:...contractIds)', { contractIds })
    .getMany()) as Array<ClienteContrato & { cliente?: Cliente }>;
  const planIds = [...new Set(contracts.map((c) => c.idVdContrato).filter((id) => id > 0))];
  const rows = contracts.length === 0 ? [] : ((await manager.query(LINES_SQL, [contracts.map((c) => c.id), planIds.length > 0 ? planIds : [-1]])) as LineWithProduct[]);
  const own = new Map<number, LineWithProduct[]>();
  const template = new Map<number, LineWithProduct[]>();
  for (const row of rows) {
    const contractOwn = row.id_contrato !== null && Number(row.id_contrato) !== 0;
    const key = contractOwn ? Number(row.id_contrato) : Number(row.id_vd_contrato);
    const into = contractOwn ? own : template;
    const list = into.get(key) ?? [];
    list.push(row);
    into.set(key, list);
  }
  for (const contract of contracts) {
    const plan = contract.idVdContrato > 0 ? (template.get(contract.idVdContrato) ?? []) : [];
    sources.set(contract.id, toSource(contract, [...(own.get(contract.id) ?? []), ...plan]));
  }
  for (const id of contractIds) if (!sources.has(id)) sources.set(id, emptySource(id));
  return sources;
}

function emptySource(contractId: number): ContractSource {
  return { contractId, contract: null, cliente: null, lines: [], products: new Map() };
}

function toSource(contract: ClienteContrato & { cliente?: Cliente }, rows: readonly LineWithProduct[]): ContractSource {
  const byId = new Map<number, LineRow>();
  const products = new Map<number, ProductRow>();
  for (const row of rows) {
    byId.set(Number(row.id), {
      id: Number(row.id),
      idVdContrato: nullableNumber(row.id_vd_contrato),
      idContrato: nullableNumber(row.id_contrato),
      idProduto: nullableNumber(row.id_produto),
      qtde: Number(row.qtde),
      descricao: row.descricao,
      idContratoProdutoPlano: nullableNumber(row.id_contrato_produto_plano),
    });
    if (row.p_id !== null) {
      products.set(Number(row.p_id), {
        id: Number(row.p_id),
        descricao: row.p_descricao,
        ativo: row.p_ativo,
        idIntegracaoIot: nullableNumber(row.p_id_integracao_iot),
        idProdutoIot: row.p_id_produto_iot,
      });
    }
  }
  return {
    contractId: contract.id,
    contract: { id: contract.id, idCliente: contract.idCliente, idVdContrato: contract.idVdContrato, status: contract.status, statusInternet: contract.statusInternet },
    cliente: contract.cliente ?? null,
    lines: [...byId.values()],
    products,
  };
}

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
const LICENCE_SYNC_SQL = (s: string) => `SELECT contract_id, platform_product_id, epoch, licenca_iot_id, licence_ref, external_id, code, status, quantity
  FROM ${s}.\`licence_sync\` WHERE contract_id IN (?) ORDER BY contract_id, platform_product_id, epoch`;

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
interface LicenceSyncRecord {
  contract_id: number | string;
  platform_product_id: string;
  epoch: number;
  licenca_iot_id: number | null;
  licence_ref: string | null;
  external_id: string | null;
  code: string | null;
  status: string | null;
  quantity: number;
}

/**
 * The project's record of the contracts in five statements at most, whatever their number.
 * `integrationId` limits IXC's licence rows to this deployment's integration (and rows with none,
 * as older IXC versions write them): rows of another integration are never adopted or touched.
 */
async function loadRecordedStates(
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
  const licenceRows = (await manager.query(LICENCE_SYNC_SQL(s), [ids])) as LicenceSyncRecord[];
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
  licenceRows: readonly LicenceSyncRecord[],
  licencas: LicencaIot[],
  licencaItems: LicencaProdutoIot[],
): RecordedState {
  const newest = new Map<string, LicenceSyncRecord>();
  for (const r of licenceRows) newest.set(r.platform_product_id, r);
  const licences: ObservedLicence[] = [...newest.values()].map((r) => ({
    platformProductId: r.platform_product_id,
    ref: r.licence_ref,
    externalId: r.external_id,
    code: r.code,
    status: (r.status as LicenceStatus | null) ?? null,
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
