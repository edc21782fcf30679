/**
 * Deterministic external references (DESIGN.md § Decisions, External references). Pure: the
 * reconcile core builds them for intents and lookups, the client sends them as `external_id`.
 *
 * - customer      `ixc:<t>:cliente:<id>`
 * - subscription  `ixc:<t>:contrato:<id>` (+ `:<epoch>` when epoch > 1)
 * - licence       `ixc:<t>:contrato:<id>:produto:<platform product id>` (+ `:<epoch>` when epoch > 1)
 */

const TENANT = /^[A-Za-z0-9_-]{1,40}$/;
/** Platform product ids are opaque, but must not contain the separator. */
const PRODUCT_ID = /^[^:\s]{1,120}$/;

export class ExternalRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExternalRefError';
  }
}

function checkTenant(tenant: string): void {
  if (!TENANT.test(tenant)) throw new ExternalRefError(`Invalid tenant id for external references: "${tenant}"`);
}

function checkId(kind: string, id: number): void {
  if (!Number.isSafeInteger(id) || id <= 0) throw new ExternalRefError(`Invalid ${kind} id: ${id}`);
}

function epochSuffix(epoch: number): string {
  if (!Number.isSafeInteger(epoch) || epoch < 1) throw new ExternalRefError(`Invalid epoch: ${epoch}`);
  return epoch > 1 ? `:${epoch}` : '';
}

export function customerExternalId(tenant: string, clienteId: number): string {
  checkTenant(tenant);
  checkId('cliente', clienteId);
  return `ixc:${tenant}:cliente:${clienteId}`;
}

export function subscriptionExternalId(tenant: string, contractId: number, epoch = 1): string {
  checkTenant(tenant);
  checkId('contrato', contractId);
  return `ixc:${tenant}:contrato:${contractId}${epochSuffix(epoch)}`;
}

export function licenceExternalId(tenant: string, contractId: number, platformProductId: string, epoch = 1): string {
  checkTenant(tenant);
  checkId('contrato', contractId);
  if (!PRODUCT_ID.test(platformProductId)) throw new ExternalRefError(`Invalid platform product id: "${platformProductId}"`);
  return `ixc:${tenant}:contrato:${contractId}:produto:${platformProductId}${epochSuffix(epoch)}`;
}

export interface ParsedContractRef {
  tenant: string;
  contractId: number;
  /** Set for licence references. */
  productId: string | null;
  epoch: number;
}

const CONTRACT_REF = /^ixc:([A-Za-z0-9_-]{1,40}):contrato:(\d+)(?::produto:([^:\s]+))?(?::(\d+))?$/;

/** Reads a subscription or licence reference; `null` for anything else (customers included). */
export function parseContractExternalId(externalId: string): ParsedContractRef | null {
  const match = CONTRACT_REF.exec(externalId);
  if (!match) return null;
  const contractId = Number(match[2]);
  const epoch = match[4] === undefined ? 1 : Number(match[4]);
  if (!Number.isSafeInteger(contractId) || contractId <= 0 || epoch < 1) return null;
  return { tenant: match[1] ?? '', contractId, productId: match[3] ?? null, epoch };
}
