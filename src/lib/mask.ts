/**
 * Masking of personal data (LGPD) and removal of secrets, shared by logs, audit rows, dead letters
 * and the status page. Masks keep just enough to recognise a record in support work.
 */

/** Keys are compared lower-cased with `_` and `-` removed: `clientSecret`, `client_secret` and `CLIENT-SECRET` are one key. */
function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/** Anywhere in the normalised name: `client_secret`, `DEBEZIUM_DB_PASSWORD`, `id_token`, `x-api-key`, `proxy-authorization`… */
const SECRET_WORDS = /secret|password|passwd|senha|token|authorization|apikey/;
const DOCUMENT_KEYS = /^(document|documento|cpf|cnpj|cnpjcpf|cpfcnpj|taxid)$/;
const NAME_KEYS = /^(name|nome|razao|razaosocial|fantasia|nomefantasia|fullname|contato|contact)$/;
const EMAIL_KEYS = /email|^mail$/;
const PHONE_KEYS = /^(phone|telefone|telefonecelular|telefonecomercial|celular|whatsapp|fone|mobile)$/;
const ADDRESS_KEYS = /^(address|street|endereco|number|numero|complement|complemento|bairro|neighborhood|district|zip|zipcode|cep|referencia)$/;

type KeyKind = 'secret' | 'document' | 'name' | 'email' | 'phone' | 'address' | 'plain';

export function classifyKey(key: string): KeyKind {
  const k = normaliseKey(key);
  if (k === '') return 'plain';
  if (SECRET_WORDS.test(k)) return 'secret';
  if (DOCUMENT_KEYS.test(k)) return 'document';
  if (NAME_KEYS.test(k)) return 'name';
  if (EMAIL_KEYS.test(k)) return 'email';
  if (PHONE_KEYS.test(k)) return 'phone';
  if (ADDRESS_KEYS.test(k)) return 'address';
  return 'plain';
}

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
  return REDACTED;
}

const REDACTED = '[REDACTED]';
/** Values shorter than this are not matched in free text: they would mask ordinary words. */
const MIN_KNOWN_SECRET_LENGTH = 6;
/** Rotating secrets (access tokens) kept: the newest few, since older ones no longer work. */
const MAX_ROTATING_SECRETS = 16;
/** Secret → the forms it is found in: raw, URL-encoded, base64 (HTTP Basic). */
const knownSecrets = new Map<string, readonly string[]>();
const rotatingSecrets = new Map<string, readonly string[]>();

/**
 * Remembers a secret's value (a password from the environment, a client secret read from IXC, an
 * access token) so that it is removed from any text, whatever key or message carries it. Tokens
 * are `rotating`: only the newest are kept.
 */
export function registerSecretValue(value: string | undefined | null, options: { rotating?: boolean } = {}): void {
  if (value === undefined || value === null || value.length < MIN_KNOWN_SECRET_LENGTH) return;
  const target = options.rotating ? rotatingSecrets : knownSecrets;
  if (target.has(value)) return;
  target.set(value, [...new Set([value, encodeURIComponent(value), Buffer.from(value).toString('base64')])]);
  if (options.rotating && rotatingSecrets.size > MAX_ROTATING_SECRETS) rotatingSecrets.delete(rotatingSecrets.keys().next().value as string);
}

function maskKnownSecrets(text: string): string {
  let out = text;
  for (const set of [knownSecrets, rotatingSecrets]) {
    for (const forms of set.values()) {
      for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

// Formatted or bare CPF (11 digits) and CNPJ (14 characters, alphanumeric since July 2026).
const CPF_PATTERN = /\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b/g;
const CNPJ_PATTERN = /\b[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}\/?[0-9A-Z]{4}-?\d{2}\b/g;
const BEARER_PATTERN = /\b(Bearer|Basic)\s+(?!\[REDACTED\])[A-Za-z0-9\-._~+/]+=*/gi;
const EMAIL_PATTERN = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g;
// Formatted Brazilian phones only: `(17) 99812-3456`, `+55 17 99812-3456`; bare digit runs are ids.
const PHONE_PATTERN = /(?:\+55\s?)?\(\d{2}\)\s?9?\d{4}-?\d{4}\b|\+55\s?\d{2}\s?9?\d{4}-?\d{4}\b/g;
/** `client_secret=…`, `"access_token":"…"`, `id_token: …`, `api_key=…`, `Authorization: Basic …` (quoted or escaped keys too). */
const KEYED_SECRET_PATTERN =
  /(\\?["']?[A-Za-z0-9_.-]*(?:secret|password|passwd|senha|token|authorization|api[_-]?key)[A-Za-z0-9_-]*\\?["']?\s*[:=]\s*\\?["']?)(?!\[REDACTED\])((?:(?:Bearer|Basic)\s+)?[^"'&,;\s}\\]+)/gi;

/**
 * Masks known secret values, keyed secrets, bearer tokens, documents, e-mails and formatted
 * phones inside free text (error messages, URLs, log lines). Idempotent.
 */
export function maskText(text: string): string {
  return maskKnownSecrets(text)
    .replace(KEYED_SECRET_PATTERN, (_m, prefix: string) => `${prefix}${REDACTED}`)
    .replace(BEARER_PATTERN, (_m, word: string) => `${word} ${REDACTED}`)
    .replace(CNPJ_PATTERN, (m) => (/\d/.test(m.slice(0, -2)) ? maskDocument(m) : m))
    .replace(CPF_PATTERN, (m) => maskDocument(m))
    .replace(EMAIL_PATTERN, (m) => maskEmail(m))
    .replace(PHONE_PATTERN, (m) => maskPhone(m));
}

function maskByKind(kind: KeyKind, value: string): string {
  switch (kind) {
    case 'secret':
      return maskSecret(value);
    case 'document':
      return maskDocument(value);
    case 'name':
      return maskName(value);
    case 'email':
      return maskEmail(value);
    case 'phone':
      return maskPhone(value);
    case 'address':
      return '***';
    case 'plain':
      return maskText(value);
  }
}

/** Deep copy of a JSON-like value with secrets removed and personal data masked by key and by shape. */
export function redactValue(value: unknown, key = ''): unknown {
  if (value === null || value === undefined) return value;
  const kind = classifyKey(key);
  if (typeof value === 'string') return maskByKind(kind, value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    return kind === 'plain' ? value : kind === 'secret' ? REDACTED : maskByKind(kind, String(value));
  }
  if (typeof value === 'boolean') return kind === 'secret' ? REDACTED : value;
  if (kind === 'secret') return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, key));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // Inside a personal field (`address: { city, … }`) plain keys inherit the field's masking.
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = redactValue(v, kind !== 'plain' && classifyKey(k) === 'plain' ? key : k);
    }
    return out;
  }
  return maskText(String(value));
}
