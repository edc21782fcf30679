import { canonicalJson, sha256Hex } from '../handlers/domain/fingerprint';

/**
 * Idempotency-Key = operation + external reference + sha256 of the canonical request body
 * (DESIGN.md § Idempotency-Key): a retry or replay reuses it, a corrected body gets a new one.
 * Example: `create-subscription:ixc:12345678000199:contrato:9876:<64 hex>`.
 */
export function idempotencyKey(operation: string, externalId: string, body: unknown): string {
  return `${operation}:${externalId}:${sha256Hex(canonicalJson(body))}`;
}
