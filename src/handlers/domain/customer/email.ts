/**
 * E-mail shape check: one `@`, a non-empty local part without spaces, a dotted domain whose labels
 * are letters, digits and hyphens, and a top-level label of at least two letters. Deliberately not
 * RFC 5322: the platform only needs an address a person can receive mail at.
 */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$/;

/** Trimmed and lower-cased domain; `null` when the shape is wrong. */
export function normaliseEmail(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed.length > 254 || !EMAIL.test(trimmed) || trimmed.includes('..')) return null;
  const at = trimmed.lastIndexOf('@');
  return `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

export function isValidEmail(value: string): boolean {
  return normaliseEmail(value) !== null;
}
