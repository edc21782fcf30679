import { CustomerValidationError } from '../domain/customer/validation-error';
import { canonicalJson, sha256Hex } from '../domain/fingerprint';
import { buildCustomerInput, type ClienteLike } from '../domain/customer/customer-input';
import { coerceError } from '../../lib/coerce-error';
import type { CustomerInput, StatusReason } from '../ports/iot-platform';

/**
 * The desired state of a contract, from IXC's rows only (principle 1: state decides), all pure:
 * the state table (what the contract row asks of the platform), the effective IoT lines, and the
 * customer payload and licences built from them.
 */

/** What IXC's contract row asks of the platform (DESIGN.md § Decisions, State). */
export type ContractTarget = 'cancelled' | 'not-yet' | 'suspended' | 'active' | 'hold';

export interface ContractStatusInput {
  /** False when the `cliente_contrato` row is gone. */
  exists: boolean;
  /** `status`: A, I, P, N, D; '' or NULL in legacy rows. */
  status: string | null;
  /** `status_internet`: A, D, CM, CA, CE, FA, AA; '' or NULL in legacy rows. */
  statusInternet: string | null;
}

export interface StatePolicies {
  /** `status` N: suspend (default) or cancel. */
  negativadoPolicy: 'suspend' | 'cancel';
  /** `status_internet` FA: suspend (default) or keep active. */
  overduePolicy: 'suspend' | 'active';
}

export interface ContractDecision {
  target: ContractTarget;
  /** Row of the state table that matched (1-5). */
  rule: 1 | 2 | 3 | 4 | 5;
  /** Reason sent with a status change. */
  reason: StatusReason;
  /** Human explanation, for plans and warnings. */
  why: string;
}

/** Codes that block access; the reason sent with the suspension. */
const SUSPENDING_INTERNET: Readonly<Record<string, StatusReason>> = {
  CM: 'manual',
  CA: 'past_due',
  FA: 'past_due',
  CE: 'past_due',
  D: 'manual',
};

function code(value: string | null): string {
  return (value ?? '').trim().toUpperCase();
}

/**
 * The state table, first match wins. Pure; one test per row.
 * 1 deleted, `status` I or D → cancelled; 2 `status` P or `status_internet` AA → not yet;
 * 3 `status` N or `status_internet` CM/CA/FA/CE/D → suspended; 4 A + A → active; 5 anything else → hold.
 * `status` D (gave up) is not `status_internet` D (deactivated).
 */
export function decideContractState(input: ContractStatusInput, policies: StatePolicies): ContractDecision {
  const status = code(input.status);
  const internet = code(input.statusInternet);
  if (!input.exists) return { target: 'cancelled', rule: 1, reason: 'contract_cancelled', why: 'contract row deleted' };
  if (status === 'I' || status === 'D') {
    return { target: 'cancelled', rule: 1, reason: 'contract_cancelled', why: `status ${status}` };
  }
  if (status === 'P' || internet === 'AA') {
    return { target: 'not-yet', rule: 2, reason: 'other', why: status === 'P' ? 'status P (pre-contract)' : 'status_internet AA (awaiting signature)' };
  }
  if (status === 'N') {
    return policies.negativadoPolicy === 'cancel'
      ? { target: 'cancelled', rule: 3, reason: 'contract_cancelled', why: 'status N (negativado), policy cancel' }
      : { target: 'suspended', rule: 3, reason: 'past_due', why: 'status N (negativado)' };
  }
  const suspendReason = SUSPENDING_INTERNET[internet];
  if (suspendReason !== undefined && !(internet === 'FA' && policies.overduePolicy === 'active')) {
    return { target: 'suspended', rule: 3, reason: suspendReason, why: `status_internet ${internet}` };
  }
  if (status === 'A' && (internet === 'A' || internet === 'FA')) {
    // FA reaches here only under the overdue policy "active".
    return { target: 'active', rule: 4, reason: 'other', why: internet === 'A' ? 'status A, status_internet A' : 'status_internet FA, policy active' };
  }
  return {
    target: 'hold',
    rule: 5,
    reason: 'other',
    why: `unknown or unset codes (status "${status}", status_internet "${internet}"): current state held`,
  };
}

/** A `vd_contratos_produtos` row as the reconcile reads it. 0 and NULL both mean "no reference". */
export interface LineRow {
  id: number;
  idVdContrato: number | null;
  idContrato: number | null;
  idProduto: number | null;
  qtde: number;
  descricao: string | null;
  /** On a contract line: the plan line it replaces. */
  idContratoProdutoPlano: number | null;
}

/** A `produtos` row as the reconcile reads it. */
export interface ProductRow {
  id: number;
  descricao: string | null;
  ativo: string | null;
  idIntegracaoIot: number | null;
  idProdutoIot: string | null;
}

export interface EffectiveLine {
  lineId: number;
  /** IXC product id. */
  productId: number;
  platformProductId: string;
  quantity: number;
  description: string | null;
  origin: 'plan' | 'contract';
}

export interface EffectiveLinesResult {
  lines: EffectiveLine[];
  /** Orphans and other oddities worth a log line; never fatal. */
  warnings: string[];
}

function ref(value: number | null | undefined): number | null {
  return value === null || value === undefined || value === 0 ? null : value;
}

/**
 * A contract's effective IoT lines (DESIGN.md § Decisions, Effective lines): its own rows plus its
 * plan's rows (`id_contrato` 0/NULL, `id_vd_contrato` = the contract's plan); a contract row whose
 * `id_contrato_produto_plano` names a plan row replaces that row. A line is IoT when its product has
 * `id_produto_iot` set, belongs to `integrationId` and is active (`ativo` <> 'N': a withdrawn product
 * is unlinked, which is why a change of `ativo` marks its contracts). Pure.
 */
export function effectiveIotLines(
  contract: { id: number; idVdContrato: number | null },
  rows: readonly LineRow[],
  products: ReadonlyMap<number, ProductRow>,
  integrationId: number,
): EffectiveLinesResult {
  const warnings: string[] = [];
  const plan = ref(contract.idVdContrato);
  const own = rows.filter((r) => ref(r.idContrato) === contract.id);
  const replaced = new Set(own.map((r) => ref(r.idContratoProdutoPlano)).filter((id): id is number => id !== null));
  const planRows = plan === null ? [] : rows.filter((r) => ref(r.idContrato) === null && ref(r.idVdContrato) === plan && !replaced.has(r.id));

  const lines: EffectiveLine[] = [];
  for (const [origin, set] of [['plan', planRows], ['contract', own]] as const) {
    for (const row of set) {
      const productId = ref(row.idProduto);
      if (productId === null) continue;
      const product = products.get(productId);
      if (product === undefined) {
        warnings.push(`line ${row.id} refers to missing product ${productId}`);
        continue;
      }
      const platformProductId = (product.idProdutoIot ?? '').trim();
      if (platformProductId === '' || product.idIntegracaoIot !== integrationId) continue;
      if ((product.ativo ?? '').trim().toUpperCase() === 'N') continue;
      if (!(row.qtde > 0)) {
        warnings.push(`line ${row.id} has quantity ${row.qtde}; ignored`);
        continue;
      }
      lines.push({ lineId: row.id, productId, platformProductId, quantity: row.qtde, description: product.descricao ?? row.descricao, origin });
    }
  }
  lines.sort((a, b) => a.lineId - b.lineId);
  return { lines, warnings };
}

/** The `cliente_contrato` columns the reconcile reads; `null` when the row is gone. */
export interface ContractRow {
  id: number;
  idCliente: number;
  idVdContrato: number | null;
  status: string | null;
  statusInternet: string | null;
}

/** Everything IXC holds for one contract, read in one go. */
export interface ContractSource {
  contractId: number;
  contract: ContractRow | null;
  cliente: ClienteLike | null;
  lines: LineRow[];
  products: ReadonlyMap<number, ProductRow>;
}

export interface DesiredLicence {
  platformProductId: string;
  /** Sum of the contributing lines. */
  quantity: number;
  /** One entry per contributing line (`licencas_produtos_iot`). */
  lines: Array<{ lineId: number; quantity: number }>;
  description: string;
}

export type DesiredCustomer =
  | { ok: true; clienteId: number; input: CustomerInput; fingerprint: string }
  | { ok: false; clienteId: number | null; field: string; reason: string };

export interface DesiredState {
  contractId: number;
  decision: ContractDecision;
  customer: DesiredCustomer;
  /** One per platform product, ordered by product id. */
  licences: DesiredLicence[];
  warnings: string[];
}

export interface DesiredStateOptions extends StatePolicies {
  integrationId: number;
  tenantId: string;
}

/** The IXC customer a contract belongs to: its customer row's id, or the contract's reference when the row is missing. */
export function contractClienteId(source: Pick<ContractSource, 'cliente' | 'contract'>): number | null {
  return source.cliente?.id ?? source.contract?.idCliente ?? null;
}

function desiredCustomer(cliente: ClienteLike | null, clienteId: number | null, tenantId: string): DesiredCustomer {
  if (cliente === null) return { ok: false, clienteId, field: 'cliente', reason: 'customer row not found' };
  try {
    const input = buildCustomerInput(cliente, tenantId);
    return { ok: true, clienteId: cliente.id, input, fingerprint: sha256Hex(canonicalJson(input)) };
  } catch (thrown) {
    const err = coerceError(thrown);
    if (err instanceof CustomerValidationError) return { ok: false, clienteId: cliente.id, field: err.field, reason: err.reason };
    throw err;
  }
}

/**
 * What the platform should hold for a contract, from IXC's rows only (principle 1: state decides).
 * Pure: the decision from the state table, the customer payload (or why it is invalid) and one
 * licence per platform product with the summed quantity of the effective lines.
 */
export function buildDesiredState(source: ContractSource, options: DesiredStateOptions): DesiredState {
  const contract = source.contract;
  const decision = decideContractState(
    { exists: contract !== null, status: contract?.status ?? null, statusInternet: contract?.statusInternet ?? null },
    options,
  );
  const effective = contract === null ? { lines: [], warnings: [] } : effectiveIotLines(contract, source.lines, source.products, options.integrationId);
  const byProduct = new Map<string, DesiredLicence>();
  for (const line of effective.lines) {
    const licence = byProduct.get(line.platformProductId) ?? {
      platformProductId: line.platformProductId,
      quantity: 0,
      lines: [],
      description: line.description ?? `Produto ${line.productId}`,
    };
    licence.quantity += line.quantity;
    licence.lines.push({ lineId: line.lineId, quantity: line.quantity });
    byProduct.set(line.platformProductId, licence);
  }
  const licences = [...byProduct.values()].sort((a, b) => (a.platformProductId < b.platformProductId ? -1 : a.platformProductId > b.platformProductId ? 1 : 0));
  const warnings = [...effective.warnings];
  if (decision.target === 'hold') warnings.push(decision.why);
  return {
    contractId: source.contractId,
    decision,
    customer: desiredCustomer(source.cliente, contractClienteId(source), options.tenantId),
    licences,
    warnings,
  };
}
