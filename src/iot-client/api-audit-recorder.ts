import type { DataSource, EntitySchema } from 'typeorm';
import type { ApiAuditRow } from '../entities/sync/sync-entities';
import { coerceError } from '../lib/coerce-error';
import type { Logger } from '../lib/logger';
import { maskText, redactValue } from '../lib/mask';

/** One request as the transport saw it, before redaction. */
export interface ApiAuditEntry {
  at: Date;
  contractId?: number;
  method: string;
  /** Path as sent, with its query string. */
  path: string;
  /** `METHOD /template` */
  endpoint: string;
  status: number | null;
  durationMs: number;
  attempt: number;
  idempotencyKey?: string;
  requestBody?: unknown;
  responseBody?: unknown;
  error?: string;
  requestId?: string;
}

export interface ApiAuditRecorderOptions {
  /** Written to `api_audit.instance`. @defaultValue `null` */
  instance: string | null;
  /** Flush by itself once this many entries are buffered. @defaultValue 200 */
  maxBufferedEntries: number;
}

/**
 * Audit of every request (IXC spec: "keep an audit log of every request"). Entries are redacted
 * when recorded (secrets and tokens removed; CPF/CNPJ, names, e-mails, phones masked), buffered,
 * and written by `flush()`, which the reconcile calls once at its end.
 */
export interface ApiAuditRecorder {
  record(entry: ApiAuditEntry): void;
  flush(): Promise<number>;
  pending(): number;
}

const MAX_BODY_CHARS = 64_000;

/** Redacts the query string parameter by parameter (`document=…` → masked, `email=…` → masked). */
export function redactPath(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return maskText(path);
  const params = new URLSearchParams(path.slice(q + 1));
  const parts: string[] = [];
  for (const [key, value] of params) parts.push(`${key}=${String(redactValue(value, key))}`);
  return `${maskText(path.slice(0, q))}?${parts.join('&')}`;
}

export function redactBody(body: unknown): string | null {
  if (body === undefined || body === null || body === '') return null;
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      // form-encoded or text: mask as text
      const form = /^[\w.%-]+=[^&]*(&[\w.%-]+=[^&]*)*$/.test(body) ? new URLSearchParams(body) : null;
      if (form) return [...form].map(([k, v]) => `${k}=${String(redactValue(v, k))}`).join('&');
      return maskText(body).slice(0, MAX_BODY_CHARS);
    }
  }
  return JSON.stringify(redactValue(value)).slice(0, MAX_BODY_CHARS);
}

export function toAuditRow(entry: ApiAuditEntry, instance: string | null): Omit<ApiAuditRow, 'id'> {
  return {
    at: entry.at,
    instance,
    contractId: entry.contractId ?? null,
    method: entry.method,
    path: redactPath(entry.path).slice(0, 500),
    endpoint: entry.endpoint.slice(0, 160),
    status: entry.status,
    durationMs: Math.max(0, Math.round(entry.durationMs)),
    attempt: entry.attempt,
    idempotencyKey: entry.idempotencyKey ? maskText(entry.idempotencyKey).slice(0, 400) : null,
    requestBody: redactBody(entry.requestBody),
    responseBody: redactBody(entry.responseBody),
    error: entry.error ? maskText(entry.error).slice(0, 1000) : null,
    requestId: entry.requestId?.slice(0, 120) ?? null,
  };
}

export interface ApiAuditRecorderDeps {
  dataSource: DataSource;
  /** `createSyncEntities(syncSchema).ApiAudit` (registered on the data source). */
  entity: EntitySchema<ApiAuditRow>;
  logger?: Logger;
}

export function createApiAuditRecorder(deps: ApiAuditRecorderDeps, options: Partial<ApiAuditRecorderOptions> = {}): ApiAuditRecorder {
  const opts: ApiAuditRecorderOptions = { instance: null, maxBufferedEntries: 200, ...options };
  let buffer: Array<Omit<ApiAuditRow, 'id'>> = [];
  let flushing: Promise<unknown> = Promise.resolve();
  // A flush that has not started yet writes every row buffered when it starts: callers that ask
  // meanwhile (reconciles ending together) share it, one INSERT for all of them.
  let queued: Promise<number> | null = null;

  const write = async (): Promise<number> => {
    queued = null;
    if (buffer.length === 0) return 0;
    const rows = buffer;
    buffer = [];
    try {
      await deps.dataSource.getRepository(deps.entity).insert(rows);
      return rows.length;
    } catch (thrown) {
      // Keep the rows for the next flush rather than losing the audit trail.
      buffer = rows.concat(buffer).slice(-opts.maxBufferedEntries * 10);
      throw coerceError(thrown);
    }
  };

  const flush = (): Promise<number> => {
    if (queued) return queued;
    // Chained so concurrent flushes never write the same rows twice.
    const next = flushing.then(write, write);
    queued = next;
    flushing = next.catch(() => undefined);
    return next;
  };

  return {
    record(entry) {
      buffer.push(toAuditRow(entry, opts.instance));
      if (buffer.length >= opts.maxBufferedEntries) {
        flush().catch((err: unknown) => deps.logger?.warn('audit flush failed', { error: coerceError(err) }));
      }
    },
    flush,
    pending: () => buffer.length,
  };
}
