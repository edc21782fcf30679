/** A sleep that `wake()` (a nudge) or an abort signal ends early. */
export interface WakeableSleep {
  (ms: number, options?: { wakeOnNudge?: boolean }): Promise<void>;
  wake(): void;
}

export function createWakeableSleep(signal: AbortSignal): WakeableSleep {
  const sleepers = new Set<() => void>();
  const sleep = ((ms: number, options: { wakeOnNudge?: boolean } = {}) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        sleepers.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      if (options.wakeOnNudge !== false) sleepers.add(done);
      signal.addEventListener('abort', done, { once: true });
    })) as WakeableSleep;
  sleep.wake = () => {
    for (const done of [...sleepers]) done();
  };
  return sleep;
}
