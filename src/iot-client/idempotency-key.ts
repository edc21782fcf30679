import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level and `undefined` members dropped: equal data, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Idempotency-Key = operation + external reference + sha256 of the canonical request body
 * (DESIGN.md § Idempotency-Key): a retry or replay reuses it, a corrected body gets a new one.
 * Example: `create-subscription:ixc:12345678000199:contrato:9876:<64 hex>`.
 */
export function idempotencyKey(operation: string, externalId: string, body: unknown): string {
  return `${operation}:${externalId}:${sha256Hex(canonicalJson(body))}`;
}
