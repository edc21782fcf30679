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

  it('releases the slot when the work fails', async () => {
    const limiter = createRateLimiter({ requestsPerSecond: 10_000, maxConcurrency: 1 });
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
  });
});
