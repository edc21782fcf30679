/** Backoff of transient failures, in the sync row (STYLE rule 8). */
export interface BackoffOptions {
  /** First delay. @defaultValue 5000 */
  baseMs: number;
  /** Cap. @defaultValue 900000 (15 min) */
  maxMs: number;
}

export const DEFAULT_BACKOFF_OPTIONS = { baseMs: 5000, maxMs: 900_000 } satisfies Required<BackoffOptions>;

/** Exponential in the attempts already made, ±20 % jitter so failed contracts do not return together. */
export function backoffDelayMs(attempts: number, options: BackoffOptions = DEFAULT_BACKOFF_OPTIONS, random: () => number = Math.random): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(attempts, 0), 30));
  return Math.round(exp * (0.8 + 0.4 * random()));
}
