import { createRateLimiter } from '../../../src/iot-client/rate-limiter';

describe('createRateLimiter', () => {
  it('never runs more than maxConcurrency at once and runs everything', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 10_000, maxConcurrency: 3 });
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setImmediate(resolve));
          active -= 1;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(limiter.stats()).toEqual({ active: 0, waiting: 0 });
  });

  it('spaces starts by 1/requestsPerSecond', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 50, maxConcurrency: 10 });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => limiter.run(async () => void starts.push(Date.now()))));
    // 5 starts at 20 ms spacing cover at least 4 intervals (a lower bound, not a performance check)
    expect(starts[4]! - starts[0]!).toBeGreaterThanOrEqual(4 * 20 - 2);
  });

  it('starts at once what is less than a millisecond ahead of its slot, and waits for the rest', async () => {
    // 0.25 ms spacing: within one millisecond four slots are due (+0, +0.25, +0.5, +0.75); +1.0 is not
    // The clock is frozen (fake timers fake Date too): the case holds on every run, not only when the millisecond did not tick.
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const limiter = createRateLimiter({ requestsPerSecond: 4000, maxConcurrency: 10 });
      const started: number[] = [];
      const all = Promise.all(Array.from({ length: 5 }, (_, i) => limiter.run(async () => void started.push(i))));
      // Microtasks only: no timer can have fired, so what started did not wait for one.
      for (let i = 0; i < 50; i += 1) await Promise.resolve();
      expect(started).toEqual([0, 1, 2, 3]);
      await jest.advanceTimersByTimeAsync(1);
      await all;
      expect(started).toEqual([0, 1, 2, 3, 4]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('releases the slot when the work fails', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 10_000, maxConcurrency: 1 });
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
  });
});
