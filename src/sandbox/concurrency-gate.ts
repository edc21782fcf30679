/**
 * A cap on API requests the sandbox handles at once, like a platform with a fixed number of
 * workers: requests beyond the cap wait in a FIFO queue (they are not refused). `max` 0 = no cap.
 * The cap can change at run time; a raised cap lets queued requests in at once.
 */
export interface ConcurrencyGate {
  /** Waits for a free place; the returned function gives it back (call it exactly once). */
  acquire(): Promise<() => void>;
  setMax(max: number): void;
  stats(): ConcurrencyGateStats;
  resetStats(): void;
}

export interface ConcurrencyGateStats {
  /** 0 = unlimited. */
  max: number;
  inFlight: number;
  queued: number;
  /** Highest number handled at once since the last reset. */
  peakInFlight: number;
  /** Longest queue since the last reset. */
  peakQueued: number;
}

export function createConcurrencyGate(initialMax = 0): ConcurrencyGate {
  let max = checkMax(initialMax);
  let inFlight = 0;
  let peakInFlight = 0;
  let peakQueued = 0;
  const waiting: Array<() => void> = [];

  const enter = (): (() => void) => {
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlight -= 1;
      admit();
    };
  };
  const hasRoom = (): boolean => max === 0 || inFlight < max;
  const admit = (): void => {
    while (waiting.length > 0 && hasRoom()) waiting.shift()?.();
  };

  return {
    acquire() {
      if (waiting.length === 0 && hasRoom()) return Promise.resolve(enter());
      return new Promise((resolve) => {
        waiting.push(() => resolve(enter()));
        peakQueued = Math.max(peakQueued, waiting.length);
      });
    },
    setMax(next) {
      max = checkMax(next);
      admit();
    },
    stats: () => ({ max, inFlight, queued: waiting.length, peakInFlight, peakQueued }),
    resetStats() {
      peakInFlight = inFlight;
      peakQueued = waiting.length;
    },
  };
}

function checkMax(max: number): number {
  if (!Number.isInteger(max) || max < 0) throw new RangeError(`max concurrent requests must be a whole number >= 0, got ${max}`);
  return max;
}
