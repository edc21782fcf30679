import { normaliseMarks } from '../../../src/handlers/work-set/work-set-mark';
import { createReconcileEvents } from '../../../src/handlers/reconcile-events';
import { createWakeableSleep } from '../../../src/handlers/wakeable-sleep';
import { statusLetter } from '../../../src/handlers/write-back/write-back';

describe('work-set helpers', () => {
  it('normaliseMarks keeps one mark per contract with the highest priority and the oldest change time, in key order, dropping invalid ids', () => {
    expect(
      normaliseMarks([
        { contractId: 9, priority: 10, sourceTsMs: 500 },
        { contractId: 2, priority: 5 },
        { contractId: 9, priority: 100, sourceTsMs: 300 },
        { contractId: 0, priority: 1 },
        { contractId: -3, priority: 1 },
        { contractId: 2, priority: 1, sourceTsMs: 700 },
        { contractId: 4, priority: 1, sourceTsMs: 800 },
        { contractId: 4, priority: 1, sourceTsMs: null },
      ]),
    ).toEqual([
      { contractId: 2, priority: 5, sourceTsMs: 700 },
      { contractId: 4, priority: 1, sourceTsMs: 800 },
      { contractId: 9, priority: 100, sourceTsMs: 300 },
    ]);
  });

  it('licence status letters: A active, B blocked, I revoked/inactive, P pending', () => {
    expect(['active', 'blocked', 'revoked', 'inactive', 'pending', null].map((s) => statusLetter(s as never))).toEqual(['A', 'B', 'I', 'I', 'P', 'P']);
  });
});

describe('reconcile events', () => {
  it('a throwing listener neither breaks emit nor stops later listeners; once() fires once', () => {
    const errors: unknown[] = [];
    const events = createReconcileEvents((e) => errors.push(e));
    const seen: number[] = [];
    events.on('claim:empty', () => {
      throw new Error('listener bug');
    });
    events.on('claim:empty', (e) => seen.push(e.slot));
    events.once('claim:empty', (e) => seen.push(e.slot * 10));
    expect(() => events.emit('claim:empty', { slot: 1 })).not.toThrow();
    events.emit('claim:empty', { slot: 2 });
    expect(seen).toEqual([1, 10, 2]);
    expect(errors).toHaveLength(2);
  });

  it('off() returned by on() removes the listener', () => {
    const events = createReconcileEvents();
    const seen: number[] = [];
    const off = events.on('claim:empty', (e) => seen.push(e.slot));
    off();
    events.emit('claim:empty', { slot: 1 });
    expect(seen).toEqual([]);
  });
});

describe('wakeable sleep', () => {
  /** Whether the promise has settled once pending microtasks ran (no timer can fire meanwhile). */
  const settled = async (p: Promise<void>): Promise<boolean> => {
    let done = false;
    void p.then(() => (done = true));
    for (let i = 0; i < 10; i += 1) await Promise.resolve();
    return done;
  };
  afterEach(() => jest.useRealTimers());

  it('sleeps its time, unless wake() or the abort ends it early', async () => {
    jest.useFakeTimers();
    const controller = new AbortController();
    const sleep = createWakeableSleep(controller.signal);
    const timed = sleep(1000);
    jest.advanceTimersByTime(999);
    expect(await settled(timed)).toBe(false);
    jest.advanceTimersByTime(1);
    expect(await settled(timed)).toBe(true);

    const woken = sleep(60_000);
    expect(await settled(woken)).toBe(false);
    sleep.wake();
    expect(await settled(woken)).toBe(true);
  });

  it('a sleep that ignores nudges is ended by the abort only, and after the abort no sleep waits', async () => {
    jest.useFakeTimers();
    const controller = new AbortController();
    const sleep = createWakeableSleep(controller.signal);
    const deaf = sleep(60_000, { wakeOnNudge: false });
    sleep.wake();
    expect(await settled(deaf)).toBe(false);
    controller.abort();
    expect(await settled(deaf)).toBe(true);
    expect(await settled(sleep(60_000))).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});
