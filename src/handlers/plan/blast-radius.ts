/** Inputs of the blast-radius guard (DESIGN.md § Decisions, Blast-radius guard). */
export interface BlastRadiusInput {
  blastRadiusThreshold: number;
  destructiveConfirmed: boolean;
  /** Revocations already made in the guard's window, across contracts. */
  recentRevocations: number;
}

/**
 * One change that would revoke or cancel more than the threshold waits for an operator. A single
 * contract can exceed it alone; a change fanning out over many contracts (a product unlinked)
 * trips it through the window count, so the rest of that change parks. Pure.
 */
export function blastRadiusPark(destructive: number, input: BlastRadiusInput): { reason: 'awaiting_confirmation'; detail: string } | null {
  if (destructive === 0 || input.destructiveConfirmed) return null;
  const total = destructive + input.recentRevocations;
  if (total <= input.blastRadiusThreshold) return null;
  return {
    reason: 'awaiting_confirmation',
    detail:
      `Would revoke/cancel ${destructive} object(s) (${input.recentRevocations} already revoked recently), ` +
      `above the blast-radius threshold of ${input.blastRadiusThreshold}; run "reconcile --confirm" to proceed`,
  };
}
