import { createProgress, defaultReconcileTimeoutMs, MIN_RECONCILE_TIMEOUT_MS } from '../../../src/cli/commands/reconcile-progress';

describe('reconcile progress', () => {
  it('without a terminal: one line per 10 % reached, with rate and time left', () => {
    let t = 0;
    const out: string[] = [];
    const p = createProgress({ total: 1000, isTTY: false, write: (s) => out.push(s), now: () => t });
    for (const settled of [0, 50, 99, 100, 150, 230, 230, 500, 999, 1000]) {
      t += 1000;
      p.update(settled);
    }
    p.finish();
    // 10 %, 20 %, 50 %, 90 % and 100 %: each decile reached once, 230 twice prints nothing new.
    expect(out.map((l) => /\((\d+) %\)/.exec(l)?.[1])).toEqual(['10', '23', '50', '99', '100']);
    expect(out[0]).toBe('reconcile: 100/1000 settled (10 %), 25.0/s, about 36 s left\n');
    expect(out.at(-1)).toMatch(/^reconcile: 1000\/1000 settled \(100 %\), 100\.0\/s, done\n$/);
  });

  it('on a terminal: one line rewritten in place, ended by finish', () => {
    let t = 0;
    const out: string[] = [];
    const p = createProgress({ total: 40, isTTY: true, write: (s) => out.push(s), now: () => t });
    t = 2000;
    p.update(10);
    t = 4000;
    p.update(20);
    p.finish();
    expect(out).toEqual(['\rreconcile: 10/40 settled (25 %), 5.0/s, about 6.0 s left\u001b[K', '\rreconcile: 20/40 settled (50 %), 5.0/s, about 4.0 s left\u001b[K', '\n']);
  });

  it('the default timeout grows with the count: 300 s, or twice what IOT_MAX_RPS needs', () => {
    expect(defaultReconcileTimeoutMs(1, 20)).toBe(MIN_RECONCILE_TIMEOUT_MS);
    expect(defaultReconcileTimeoutMs(600, 20)).toBe(MIN_RECONCILE_TIMEOUT_MS);
    // 10,000 contracts × 5 calls at 20/s = 2,500 s; twice that.
    expect(defaultReconcileTimeoutMs(10_000, 20)).toBe(5_000_000);
    expect(defaultReconcileTimeoutMs(10_000, 100)).toBe(1_000_000);
  });
});
