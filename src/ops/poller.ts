/** Runs a measurement now and then: never two at once, never piling up behind a slow one. */
export interface Poller<T> {
  /** Starts the loop: a first run at once, then one every interval after the previous finished. */
  start(): void;
  /** Stops the loop and waits for a run in flight. Idempotent. */
  stop(): Promise<void>;
  /** Runs now, or joins the run in flight. */
  poll(): Promise<T>;
}

interface PollerOptions {
  intervalMs: number;
}

/**
 * The loop behind every monitor. Timers are unref'd: a monitor never keeps a process alive on its
 * own. The measurement must not throw (monitors turn failures into their snapshot).
 */
export function createPoller<T>(run: () => Promise<T>, options: PollerOptions): Poller<T> {
  let inFlight: Promise<T> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running = false;

  const poll = (): Promise<T> => {
    inFlight ??= run().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  const schedule = (delayMs: number): void => {
    if (!running) return;
    timer = setTimeout(() => {
      timer = null;
      poll()
        .catch(() => undefined)
        .finally(() => schedule(options.intervalMs));
    }, delayMs);
    timer.unref();
  };

  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      if (inFlight) await inFlight.catch(() => undefined);
    },
    poll,
  };
}
