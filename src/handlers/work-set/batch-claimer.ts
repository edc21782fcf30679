import type { Claim } from './work-set-claim';

export interface BatchClaimer {
  /** A claim for the calling slot, or undefined when nothing is ready (or the slots are stopping). */
  next(): Promise<Claim | undefined>;
}

/**
 * One claim transaction at a time for all of a process's slots: the slots that ask while a claim
 * is running are served together by the next one, which claims as many rows as there are askers.
 * Claiming one row per slot made 32 slots run 32 candidate scans and lock races where one would
 * do (measured in the drain bench: 15 of 32 slots busy on average); batched, a burst of work is
 * handed out in a few transactions and the slots stay on the API.
 *
 * `prepare` (reading the batch's plan inputs) runs after the claim transaction and before its
 * askers are served, but outside the one-at-a-time section: the next claim starts meanwhile. With
 * the reads inside it, the claim pipeline (about 14 round trips per batch) capped a drain at
 * ~250 contracts/s while the API had room. `prepare` must not throw.
 */
export function createBatchClaimer(
  stopping: () => boolean,
  claim: (limit: number) => Promise<Claim[]>,
  prepare: (claims: Claim[]) => Promise<void> = () => Promise.resolve(),
): BatchClaimer {
  const askers: Array<{ resolve(claim: Claim | undefined): void; reject(err: unknown): void }> = [];
  let running = false;

  async function pump(): Promise<void> {
    if (running || askers.length === 0) return;
    running = true;
    const served = askers.splice(0, askers.length);
    let claims: Claim[];
    try {
      claims = stopping() ? [] : await claim(served.length);
    } catch (err) {
      for (const asker of served) asker.reject(err);
      return;
    } finally {
      running = false;
      void pump();
    }
    if (claims.length > 0) await prepare(claims);
    served.forEach((asker, i) => asker.resolve(claims[i]));
  }

  return {
    next() {
      return new Promise<Claim | undefined>((resolve, reject) => {
        askers.push({ resolve, reject });
        void pump();
      });
    },
  };
}
