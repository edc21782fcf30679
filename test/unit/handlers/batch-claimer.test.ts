import { createBatchClaimer } from '../../../src/handlers/work-set/batch-claimer';
import type { Claim } from '../../../src/handlers/work-set/work-set-claim';

const claimOf = (contractId: number): Claim => ({
  contractId,
  owner: 'o',
  token: '1',
  generation: '1',
  epoch: 1,
  attempts: 0,
  verify: false,
  destructiveConfirmed: false,
  sourceTsMs: null,
});

describe('batch claimer', () => {
  it('serves the slots that ask while a claim runs with one claim of that many rows', async () => {
    const limits: number[] = [];
    let next = 1;
    let release: () => void = () => undefined;
    const claimer = createBatchClaimer({
      stopping: () => false,
      claim: async (limit) => {
        limits.push(limit);
        if (limits.length === 1) await new Promise<void>((r) => (release = r));
        return Array.from({ length: limit }, () => claimOf(next++));
      },
    });
    const first = claimer.next();
    const waiting = [claimer.next(), claimer.next(), claimer.next()];
    release();
    expect((await first)?.contractId).toBe(1);
    expect((await Promise.all(waiting)).map((c) => c?.contractId)).toEqual([2, 3, 4]);
    expect(limits).toEqual([1, 3]);
  });

  it('gives undefined to the askers it has no row for, and an error to every asker of a failed claim', async () => {
    let fail = false;
    let ready = [claimOf(7)];
    let release: () => void = () => undefined;
    const claimer = createBatchClaimer({
      stopping: () => false,
      claim: async (limit) => {
        if (fail) throw new Error('database gone');
        if (limit === 1) {
          await new Promise<void>((r) => (release = r));
          return [];
        }
        const taken = ready.slice(0, limit);
        ready = ready.slice(limit);
        return taken;
      },
    });
    const first = claimer.next();
    const [a, b] = [claimer.next(), claimer.next()];
    release();
    expect(await first).toBeUndefined();
    expect([(await a)?.contractId, (await b)?.contractId]).toEqual([7, undefined]);
    fail = true;
    await expect(Promise.all([claimer.next(), claimer.next()])).rejects.toThrow('database gone');
  });

  it('prepares a batch outside the one-at-a-time section: the next claim starts meanwhile, and a batch is served once prepared', async () => {
    const events: string[] = [];
    let next = 1;
    let finishPrepare: () => void = () => undefined;
    const claimer = createBatchClaimer({
      stopping: () => false,
      claim: async (limit) => {
        events.push(`claim ${limit}`);
        return Array.from({ length: limit }, () => claimOf(next++));
      },
      prepare: async (claims) => {
        events.push(`prepare ${claims.map((c) => c.contractId).join(',')}`);
        if (claims[0]?.contractId === 1) await new Promise<void>((r) => (finishPrepare = r));
      },
    });
    let firstServed = false;
    const first = claimer.next().then((c) => ((firstServed = true), c));
    await new Promise((r) => setImmediate(r));
    const second = await claimer.next(); // claimed and prepared while the first batch is still preparing
    expect(second?.contractId).toBe(2);
    expect(firstServed).toBe(false);
    finishPrepare();
    expect((await first)?.contractId).toBe(1);
    expect(events).toEqual(['claim 1', 'prepare 1', 'claim 1', 'prepare 2']);
  });

  it('claims ahead for the slots about to ask, hands those out without a claim, and gives back the unstarted', async () => {
    const limits: number[] = [];
    let next = 1;
    let stopping = false;
    const claimer = createBatchClaimer({
      stopping: () => stopping,
      claim: async (limit) => {
        limits.push(limit);
        return Array.from({ length: limit }, () => claimOf(next++));
      },
      ahead: () => 3,
    });
    expect((await claimer.next())?.contractId).toBe(1);
    expect((await claimer.next())?.contractId).toBe(2); // taken ahead: no second claim
    expect(limits).toEqual([4]);
    stopping = true;
    expect(await claimer.next()).toBeUndefined(); // nothing handed out once stopping
    expect(claimer.takeUnstarted().map((c) => c.contractId)).toEqual([3, 4]);
    expect(claimer.takeUnstarted()).toEqual([]);
  });

  it('gives back a row claimed ahead that waited too long instead of handing it out', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      let next = 1;
      const givenBack: number[] = [];
      const claimer = createBatchClaimer({
        stopping: () => false,
        claim: async (limit) => Array.from({ length: limit }, () => claimOf(next++)),
        ahead: () => 1,
        maxAheadWaitMs: 5000,
        giveBack: async (c) => void givenBack.push(c.contractId),
      });
      expect((await claimer.next())?.contractId).toBe(1); // 2 taken ahead
      jest.setSystemTime(1_000_000 + 6000);
      expect((await claimer.next())?.contractId).toBe(3); // 2 is stale: given back, a fresh claim instead
      expect(givenBack).toEqual([2]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('claims nothing once the slots are stopping', async () => {
    const claim = jest.fn(async () => [claimOf(1)]);
    const claimer = createBatchClaimer({ stopping: () => true, claim });
    expect(await claimer.next()).toBeUndefined();
    expect(claim).not.toHaveBeenCalled();
  });
});
