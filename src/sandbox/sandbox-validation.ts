/**
 * The platform's own checks of documents, e-mails and external references. The sandbox is a
 * separate implementation of the platform contract (docs iot-platform-api.md, Documents and
 * external_id), written apart from the client's validators on purpose: a rejection by the sandbox
 * must not be the client agreeing with itself.
 */

/** Mod-11 check digit over `values` with weights cycling 2..9 from the rightmost value. */
function mod11Digit(values: readonly number[], maxWeight: number): number {
  let total = 0;
  let weight = 2;
  for (let i = values.length - 1; i >= 0; i -= 1) {
    total += values[i]! * weight;
    weight = weight === maxWeight ? 2 : weight + 1;
  }
  const remainder = total % 11;
  return remainder < 2 ? 0 : 11 - remainder;
}

/** Why an 11-digit CPF is refused, or `null`. Weights 2..11 (no cycling), as the Receita defines them. */
export function sandboxCpfProblem(digits: string): string | null {
  if (!/^\d{11}$/.test(digits)) return 'CPF must be 11 digits without punctuation';
  if (new Set(digits).size === 1) return 'CPF with all digits repeated';
  const values = [...digits].map(Number);
  const first = mod11Digit(values.slice(0, 9), 11);
  const second = mod11Digit([...values.slice(0, 9), first], 11);
  return first === values[9] && second === values[10] ? null : 'CPF check digits do not match';
}

/**
 * Why a 14-character CNPJ is refused, or `null`. The first 12 characters may be letters since
 * July 2026; each character counts as its code minus 48 ('A' is 17), weights cycle 2..9.
 */
export function sandboxCnpjProblem(chars: string): string | null {
  if (!/^[0-9A-Z]{12}\d{2}$/.test(chars)) return 'CNPJ must be 14 uppercase characters without punctuation';
  if (new Set(chars).size === 1) return 'CNPJ with all characters repeated';
  const values = [...chars].map((c) => c.charCodeAt(0) - 48);
  const first = mod11Digit(values.slice(0, 12), 9);
  const second = mod11Digit([...values.slice(0, 12), first], 9);
  return first === values[12] && second === values[13] ? null : 'CNPJ check digits do not match';
}

const LOCAL_CHARS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** An address a person can receive mail at: local part, `@`, a dotted domain ending in a 2+ letter label. */
export function sandboxEmailAccepted(value: string): boolean {
  const email = value.trim();
  if (email.length === 0 || email.length > 254 || email.includes('..')) return false;
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  if (at < 1 || !LOCAL_CHARS.test(local)) return false;
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return false;
  return /^[A-Za-z]{2,}$/.test(labels[labels.length - 1]!);
}

/**
 * `<tenant>:<contract id>` of a subscription or licence reference (`ixc:<t>:contrato:<id>`, with
 * `:produto:<pid>` and an epoch suffix optional), or `null` for anything else.
 */
export function contractKeyOfExternalId(externalId: string): string | null {
  const parts = externalId.split(':');
  if (parts.length < 4 || parts[0] !== 'ixc' || parts[2] !== 'contrato') return null;
  const [, tenant, , id, ...rest] = parts;
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(tenant!) || !/^\d+$/.test(id!) || Number(id) <= 0 || !Number.isSafeInteger(Number(id))) return null;
  const epochOk = (e: string | undefined) => e === undefined || (/^\d+$/.test(e) && Number(e) >= 1);
  if (rest[0] === 'produto') {
    if (rest.length > 3 || !rest[1] || /\s/.test(rest[1])) return null;
    if (!epochOk(rest[2])) return null;
  } else if (rest.length > 1 || !epochOk(rest[0])) return null;
  return `${tenant}:${Number(id)}`;
}
