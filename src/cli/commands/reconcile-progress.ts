import { formatDuration } from '../../ops/status-text';

/** Calls a contract's reconcile may make (customer, subscription, licences, a lookup each), for the default timeout. */
const CALLS_PER_CONTRACT = 5;
/** The floor of the default `--timeout` (what one contract or a handful needs at worst). */
export const MIN_RECONCILE_TIMEOUT_MS = 300_000;

/**
 * The default `reconcile --timeout`: 300 s, or twice what the platform's allowance (IOT_MAX_RPS)
 * needs for `count` contracts at CALLS_PER_CONTRACT calls each, whichever is larger.
 */
export function defaultReconcileTimeoutMs(count: number, maxRequestsPerSecond: number): number {
  const needed = ((count * CALLS_PER_CONTRACT) / maxRequestsPerSecond) * 1000;
  return Math.max(MIN_RECONCILE_TIMEOUT_MS, Math.ceil(2 * needed));
}

export interface ProgressOptions {
  total: number;
  /** True on a terminal: one line rewritten in place; otherwise a line at every 10 %. */
  isTTY: boolean;
  write(text: string): void;
  now?: () => number;
}

export interface Progress {
  /** `settled` of `total` contracts are clean, parked or failed since the mark. */
  update(settled: number): void;
  /** Ends the in-place line (terminal). */
  finish(): void;
}

/** `settled/total (pct), rate, time left` for `reconcile` while it waits. */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  const { total } = options;
  let lastDecile = 0;
  let drawn = false;

  const line = (settled: number): string => {
    const elapsedS = (now() - started) / 1000;
    const rate = elapsedS > 0 ? settled / elapsedS : 0;
    const left = rate > 0 ? formatDuration((total - settled) / rate) : '–';
    const pct = total === 0 ? 100 : Math.floor((settled / total) * 100);
    return `reconcile: ${settled}/${total} settled (${pct} %), ${rate.toFixed(1)}/s, ${settled >= total ? 'done' : `about ${left} left`}`;
  };

  return {
    update(settled) {
      if (options.isTTY) {
        options.write(`\r${line(settled)}\u001b[K`);
        drawn = true;
        return;
      }
      const decile = total === 0 ? 10 : Math.floor((settled / total) * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        options.write(`${line(settled)}\n`);
      }
    },
    finish() {
      if (drawn) options.write('\n');
      drawn = false;
    },
  };
}
