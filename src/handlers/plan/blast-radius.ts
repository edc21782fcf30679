/** Inputs of the per-plan blast-radius check (DESIGN.md § Decisions, Blast-radius guard). */
export interface BlastRadiusInput {
  blastRadiusThreshold: number;
  destructiveConfirmed: boolean;
}

export interface BlastRadiusPark {
  reason: 'awaiting_confirmation';
  detail: string;
}

/**
 * A contract whose own plan revokes or cancels more than the threshold waits for an operator.
 * Changes fanning out over many contracts are judged as a whole by `changeVerdict`. Pure.
 */
export function blastRadiusPark(destructive: number, input: BlastRadiusInput): BlastRadiusPark | null {
  if (destructive === 0 || input.destructiveConfirmed || destructive <= input.blastRadiusThreshold) return null;
  return {
    reason: 'awaiting_confirmation',
    detail: `Would revoke/cancel ${destructive} object(s), above the blast-radius threshold of ${input.blastRadiusThreshold}; run "reconcile --confirm --contract <id>" to proceed`,
  };
}

/** What the guard knows of one IXC change when a contract of it plans to revoke or cancel. */
export interface ChangeFacts {
  id: string;
  status: 'open' | 'held' | 'confirmed';
  /** Human origin: `produtos row 12, transaction 0-1-345`. */
  origin: string;
  /** Revocations and cancellations already applied under this change. */
  applied: number;
  /** Revocations and cancellations its contracts plan now, this one included. */
  planned: number;
  /** Contracts with a destructive plan, in id order. */
  destructiveContracts: number[];
}

export type ChangeVerdict =
  | { kind: 'allow' }
  | { kind: 'hold'; newlyHeld: boolean; destructive: number; sample: number[]; park: BlastRadiusPark };

/** Contracts listed with a held change (status, status page, park detail). */
export const HELD_SAMPLE_SIZE = 10;

/**
 * The whole change is the unit: confirmed passes; otherwise what it already did plus what its
 * contracts plan now is compared with the threshold, so no contract of an oversized change revokes
 * anything before an operator confirms it. Pure.
 */
export function changeVerdict(change: ChangeFacts, threshold: number): ChangeVerdict {
  if (change.status === 'confirmed') return { kind: 'allow' };
  const total = change.applied + change.planned;
  if (change.status === 'open' && total <= threshold) return { kind: 'allow' };
  const sample = change.destructiveContracts.slice(0, HELD_SAMPLE_SIZE);
  return { kind: 'hold', newlyHeld: change.status === 'open', destructive: total, sample, park: heldChangePark(change.id, change.origin, total, threshold) };
}

/** The park of every destructive contract of a held change: one text naming the change to confirm. */
export function heldChangePark(id: string, origin: string, destructive: number, threshold: number): BlastRadiusPark {
  return {
    reason: 'awaiting_confirmation',
    detail:
      `Held with change ${id} (${origin}): ${destructive} revocation(s)/cancellation(s), above the blast-radius ` +
      `threshold of ${threshold}; run "reconcile --confirm ${id}" to proceed`,
  };
}
