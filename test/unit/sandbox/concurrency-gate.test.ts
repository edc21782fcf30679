import { createConcurrencyGate } from '../../../src/sandbox/concurrency-gate';

describe('sandbox concurrency gate', () => {
  it('admits up to max at once and queues the rest in arrival order', async () => {
    const gate = createConcurrencyGate(2);
    const order: number[] = [];
    const releases = await Promise.all([gate.acquire(), gate.acquire()]);
    const third = gate.acquire().then((release) => (order.push(3), release));
    const fourth = gate.acquire().then((release) => (order.push(4), release));
    expect(gate.stats()).toMatchObject({ max: 2, inFlight: 2, queued: 2, peakInFlight: 2, peakQueued: 2 });
    releases[0]!();
    const r3 = await third;
    expect(order).toEqual([3]);
    expect(gate.stats()).toMatchObject({ inFlight: 2, queued: 1 });
    releases[1]!();
    const r4 = await fourth;
    expect(order).toEqual([3, 4]);
    r3();
    r4();
    expect(gate.stats()).toMatchObject({ inFlight: 0, queued: 0, peakInFlight: 2 });
  });

  it('a release called twice frees one place only', async () => {
    const gate = createConcurrencyGate(1);
    const release = await gate.acquire();
    const next = gate.acquire();
    release();
    release();
    await next;
    expect(gate.stats()).toMatchObject({ inFlight: 1, queued: 0 });
  });

  it('0 means no cap; raising the cap lets queued requests in at once', async () => {
    const unlimited = createConcurrencyGate(0);
    await Promise.all(Array.from({ length: 50 }, () => unlimited.acquire()));
    expect(unlimited.stats()).toMatchObject({ inFlight: 50, queued: 0 });

    const gate = createConcurrencyGate(1);
    await gate.acquire();
    const waiting = [gate.acquire(), gate.acquire()];
    expect(gate.stats().queued).toBe(2);
    gate.setMax(3);
    await Promise.all(waiting);
    expect(gate.stats()).toMatchObject({ max: 3, inFlight: 3, queued: 0 });
  });

  it('rejects a negative or fractional cap', () => {
    expect(() => createConcurrencyGate(-1)).toThrow(RangeError);
    expect(() => createConcurrencyGate(1).setMax(1.5)).toThrow(RangeError);
  });
});
