/**
 * `Retry-After` (RFC 9110 §10.2.3): either delay-seconds or an HTTP date. Returns milliseconds to
 * wait (0 for a date in the past), or `undefined` when absent or unreadable.
 */
export function parseRetryAfter(header: string | string[] | undefined | null, nowMs: number = Date.now()): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw === null) return undefined;
  const value = raw.trim();
  if (value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (/^-?\d+(\.\d+)?$/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
