import { backoffDelayMs } from '../../../src/lib/backoff';

describe('backoffDelayMs', () => {
  it('work set: grows exponentially with the attempts made, capped, with ±20 % jitter by default', () => {
    const opts = { baseMs: 1000, maxMs: 10_000 };
    expect(backoffDelayMs(0, opts, () => 0.5)).toBe(1000);
    expect(backoffDelayMs(3, opts, () => 0.5)).toBe(8000);
    expect(backoffDelayMs(10, opts, () => 0.5)).toBe(10_000);
    expect(backoffDelayMs(1, opts, () => 0)).toBe(1600);
    expect(backoffDelayMs(1, opts, () => 1)).toBe(2400);
  });

  it('HTTP transport (exponent = retry − 1): doubles from the base, caps, and jitters within bounds', () => {
    const o = { baseMs: 1000, maxMs: 30_000, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n - 1, o))).toEqual([1000, 2000, 4000, 8000, 16000, 30000]);
    for (let i = 0; i < 50; i += 1) {
      const d = backoffDelayMs(3 - 1, { ...o, jitter: 0.2 });
      expect(d).toBeGreaterThanOrEqual(3200);
      expect(d).toBeLessThanOrEqual(4800);
    }
  });
});
