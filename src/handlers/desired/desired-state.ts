import { CustomerValidationError } from '../domain/customer/validation-error';
import { canonicalJson, sha256Hex } from '../domain/fingerprint';
import { buildCustomerInput, type ClienteLike } from '../domain/customer/customer-input';
import { coerceError } from '../../lib/coerce-error';
import type { CustomerInput } from '../ports/iot-platform';
import { decideContractState, type ContractDecision, type StatePolicies } from './contract-state';
import { effectiveIotLines, type LineRow, type ProductRow } from './effective-lines';

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
