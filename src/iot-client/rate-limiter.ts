/**
 * Client-side cap on the platform's unknown rate limit (§2.11): requests are spaced to at most
 * `requestsPerSecond` and at most `maxConcurrency` are in flight. Compact own code: two counters
 * and a FIFO, no timers left behind.
 */
export interface RateLimiterOptions {
  /** @defaultValue 20 (config.iot.maxRequestsPerSecond) */
  requestsPerSecond: number;
  /** @defaultValue 8 (config.iot.maxConcurrency) */
  maxConcurrency: number;
  /** Called once per request with how long it waited for its slot (concurrency and spacing), in ms. */
  onWait?: (waitMs: number) => void;
}

export interface RateLimiter {
  run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Requests in flight and waiting, for metrics. */
  stats(): { active: number; waiting: number };
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (!(options.requestsPerSecond > 0)) throw new Error('requestsPerSecond must be > 0');
  if (!(options.maxConcurrency >= 1)) throw new Error('maxConcurrency must be >= 1');
  const spacingMs = 1000 / options.requestsPerSecond;
  let nextSlotAt = 0;
  let active = 0;
  const waiting: Array<() => void> = [];

  const acquire = async (signal?: AbortSignal): Promise<void> => {
    if (active >= options.maxConcurrency) {
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      active += 1;
    }
    // Rate: reserve the next free slot; the wait happens while holding the concurrency slot. A
    // start less than a millisecond ahead of its slot goes at once (the schedule still advances,
    // so the average rate holds): Date.now() counts whole milliseconds and the shortest timer is
    // 1 ms plus a turn of a busy event loop, so a start a fraction of a millisecond early waited
    // far longer than its spacing, with its concurrency slot idle.
    const now = Date.now();
    const at = Math.max(now, nextSlotAt);
    nextSlotAt = at + spacingMs;
    if (at - now >= 1) {
      try {
        await abortableSleep(at - now, signal);
      } catch (err) {
        release();
        throw err;
      }
    }
  };

  const release = (): void => {
    const next = waiting.shift();
    if (next) next(); // hand the slot over: `active` stays the same
    else active -= 1;
  };

  return {
    async run(fn, signal) {
      const asked = Date.now();
      await acquire(signal);
      try {
        options.onWait?.(Date.now() - asked);
      } catch {
        // a metrics hook must not fail the request
      }
      try {
        return await fn();
      } finally {
        release();
      }
    },
    stats: () => ({ active, waiting: waiting.length }),
  };
}

export { abortableSleep };
