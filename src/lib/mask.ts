/**
 * Masking of personal data (LGPD) and removal of secrets, shared by logs, audit rows, dead letters
 * and the status page. Masks keep just enough to recognise a record in support work.
 */

const SECRET_KEYS = /^(client_secret|access_token|refresh_token|id_token|token|password|senha|secret|authorization|api_secret|api_key)$/i;
const DOCUMENT_KEYS = /^(document|cpf|cnpj|cnpj_cpf|cpf_cnpj|documento)$/i;
const NAME_KEYS = /^(name|razao|fantasia|nome|full_name)$/i;
const EMAIL_KEYS = /^(email|e_mail)$/i;
const PHONE_KEYS = /^(phone|telefone|telefone_celular|whatsapp|fone|mobile)$/i;
const ADDRESS_KEYS = /^(address|street|endereco|number|numero|complement|complemento|zip|cep)$/i;

/** `12345678909` → `123.***.***-09`; CNPJs keep their first 2 and last 2 characters. */
export function maskDocument(value: string): string {
  const chars = value.replace(/[^0-9A-Za-z]/g, '');
  if (chars.length === 11) return `${chars.slice(0, 3)}.***.***-${chars.slice(9)}`;
  if (chars.length === 14) return `${chars.slice(0, 2)}.***.***/****-${chars.slice(12)}`;
  return chars.length <= 2 ? '*'.repeat(chars.length) : `${'*'.repeat(chars.length - 2)}${chars.slice(-2)}`;
}

/** `maria.souza@example.com` → `m***@example.com` */
export function maskEmail(value: string): string {
  const at = value.indexOf('@');
  if (at <= 0) return '***';
  return `${value[0]}***${value.slice(at)}`;
}

/** `Maria Aparecida Souza` → `M*** A*** S***` */
export function maskName(value: string): string {
  return value
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => `${part[0]}***`)
    .join(' ');
}

/** Keeps the last 4 digits. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  return digits.length <= 4 ? '****' : `***${digits.slice(-4)}`;
}

/** Secrets and tokens are removed whole. */
export function maskSecret(_value: string): string {
  return '[REDACTED]';
}

// Formatted or bare CPF (11 digits) and CNPJ (14 characters, alphanumeric since July 2026).
const CPF_PATTERN = /\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b/g;
const CNPJ_PATTERN = /\b[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}\/?[0-9A-Z]{4}-?\d{2}\b/g;
const BEARER_PATTERN = /\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi;
const EMAIL_PATTERN = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g;
const KEYED_SECRET_PATTERN =
  /("?(?:client_secret|access_token|refresh_token|password|senha|secret)"?\s*[:=]\s*"?)(?!\[REDACTED\])([^"&,\s}]+)/gi;

/**
 * Masks documents, e-mails and bearer tokens inside free text (error messages, URLs, log lines).
 * Idempotent: masking masked text changes nothing.
 */
export function maskText(text: string): string {
  return text
    .replace(KEYED_SECRET_PATTERN, (_m, prefix: string, secret: string) => `${prefix}${maskSecret(secret)}`)
    .replace(BEARER_PATTERN, (_m, word: string) => `${word} [REDACTED]`)
    .replace(CNPJ_PATTERN, (m) => (/\d/.test(m.slice(0, -2)) ? maskDocument(m) : m))
    .replace(CPF_PATTERN, (m) => maskDocument(m))
    .replace(EMAIL_PATTERN, (m) => maskEmail(m));
}

/** Deep copy of a JSON-like value with secrets removed and personal data masked by key and by shape. */
export function redactValue(value: unknown, key = ''): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') {
    if (SECRET_KEYS.test(key)) return maskSecret(value);
    if (DOCUMENT_KEYS.test(key)) return maskDocument(value);
    if (NAME_KEYS.test(key)) return maskName(value);
    if (EMAIL_KEYS.test(key)) return maskEmail(value);
    if (PHONE_KEYS.test(key)) return maskPhone(value);
    if (ADDRESS_KEYS.test(key)) return '***';
    return maskText(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return SECRET_KEYS.test(key) || DOCUMENT_KEYS.test(key) ? '[REDACTED]' : value;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, key));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.test(k) && typeof v === 'object' && v !== null ? '[REDACTED]' : redactValue(v, k);
    }
    return out;
  }
  return String(value);
}
