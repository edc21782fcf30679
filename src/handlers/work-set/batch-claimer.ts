import type { Claim } from './work-set-claim';

export interface BatchClaimer {
  /** A claim for the calling slot, or undefined when nothing is ready (or the slots are stopping). */
  next(): Promise<Claim | undefined>;
  /** Claims taken ahead that no slot has started; the claimer holds none afterwards (release them). */
  takeUnstarted(): Claim[];
}

export interface BatchClaimerOptions {
  /** True once the slots are stopping: no more claims, none handed out. */
  stopping: () => boolean;
  /** One claim transaction for up to `limit` rows. */
  claim: (limit: number) => Promise<Claim[]>;
  /** Reads what a claimed batch needs (its plan inputs); must not throw. */
  prepare?: (claims: Claim[]) => Promise<void>;
  /** How many rows to claim beyond the slots asking, for the slots that will ask next. @defaultValue 0 */
  ahead?: () => number;
  /**
   * A row claimed ahead that waited longer (the slots paused meanwhile) is given back through
   * `giveBack` instead of handed out, its lease being partly spent. @defaultValue 10000
   */
  maxAheadWaitMs?: number;
  giveBack?: (claim: Claim) => Promise<unknown>;
}

/**
 * One claim transaction at a time for all of a process's slots: the slots that ask while a claim
 * is running are served together by the next one, which claims as many rows as there are askers
 * plus `ahead()` for the slots about to finish. Claiming one row per slot made 32 slots run 32
 * candidate scans and lock races where one would do; claiming only for the askers still left
 * batches of about three at 64 slots, each paying the candidate sort and ~12 statements.
 *
 * `prepare` (reading the batch's plan inputs) runs after the claim transaction and before its
 * askers are served, but outside the one-at-a-time section: the next claim starts meanwhile.
 * Rows claimed ahead wait in memory under their lease until a slot asks; at stop the caller takes
 * them back with `takeUnstarted` and releases them.
 */
export function createBatchClaimer(options: BatchClaimerOptions): BatchClaimer {
  const { stopping, claim, prepare = () => Promise.resolve(), ahead = () => 0, maxAheadWaitMs = 10_000, giveBack } = options;
  const askers: Array<{ resolve(claim: Claim | undefined): void; reject(err: unknown): void }> = [];
  const claimedAhead: Array<{ claim: Claim; at: number }> = [];
  let running = false;

  async function pump(): Promise<void> {
    if (running || askers.length === 0) return;
    running = true;
    const served = askers.splice(0, askers.length);
    let claims: Claim[];
    try {
      claims = stopping() ? [] : await claim(served.length + Math.max(0, ahead()));
    } catch (err) {
      for (const asker of served) asker.reject(err);
      return;
    } finally {
      running = false;
      void pump();
    }
    if (claims.length > 0) await prepare(claims);
    served.forEach((asker, i) => asker.resolve(claims[i]));
    const at = Date.now();
    claimedAhead.push(...claims.slice(served.length).map((c) => ({ claim: c, at })));
  }

  /** The oldest row claimed ahead still fresh enough to hand out; stale ones are given back. */
  function takeAhead(): Claim | undefined {
    for (let next = claimedAhead.shift(); next !== undefined; next = claimedAhead.shift()) {
      if (Date.now() - next.at <= maxAheadWaitMs || giveBack === undefined) return next.claim;
      void giveBack(next.claim).catch(() => undefined);
    }
    return undefined;
  }

  return {
    next() {
      if (stopping()) return Promise.resolve(undefined);
      const waiting = takeAhead();
      if (waiting) return Promise.resolve(waiting);
      return new Promise<Claim | undefined>((resolve, reject) => {
        askers.push({ resolve, reject });
        void pump();
      });
    },
    takeUnstarted: () => claimedAhead.splice(0, claimedAhead.length).map((a) => a.claim),
  };
}
