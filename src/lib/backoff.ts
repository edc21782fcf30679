export interface BackoffOptions {
  /** Delay at exponent 0. @defaultValue 5000 */
  baseMs: number;
  /** Cap, before jitter. @defaultValue 900000 (15 min) */
  maxMs: number;
  /** Each delay is multiplied by a random factor in [1 − jitter, 1 + jitter]. @defaultValue 0.2 */
  jitter?: number;
}

/** The work set's backoff of a failed reconcile (in the sync row, STYLE rule 8). */
export const DEFAULT_BACKOFF_OPTIONS = { baseMs: 5000, maxMs: 900_000, jitter: 0.2 } satisfies Required<BackoffOptions>;

/**
 * The one backoff: base·2^exponent, capped, with ± jitter so failures that happened together do
 * not come back together. Callers choose the exponent: the work set passes the attempts already
 * made, the HTTP transport the retry number minus one, a lock-conflict retry its 0-based attempt.
 */
export function backoffDelayMs(exponent: number, options: BackoffOptions = DEFAULT_BACKOFF_OPTIONS, random: () => number = Math.random): number {
  const raw = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(exponent, 0), 30));
  const jitter = options.jitter ?? DEFAULT_BACKOFF_OPTIONS.jitter;
  return Math.max(0, Math.round(raw * (1 + jitter * (random() * 2 - 1))));
}
