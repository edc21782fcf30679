import { BlastRadiusLockTimeoutError, ChangeSettlingError } from '../errors';
import { loadPlanInputs } from '../load/load-plan-inputs';
import type { ReconcileDeps, ReconcileOptions } from '../reconcile-contract';
import { namedLockName, withNamedLock } from '../store/named-lock';
import { addAppliedToChange, changeOfContract, contractsOfChange, holdChange, type SourceChange } from '../store/source-changes';
import { describeOrigin } from './describe-origin';
import { buildDesiredState } from './desired-state';
import { planReconcile, type PlanPark } from './plan-reconcile';

/**
 * The plan's guard against a change that revokes or cancels too much (DESIGN.md § Decisions,
 * Blast-radius guard): the pure verdict on one IXC change as a whole, and the guard that gathers
 * its facts under the blast-radius lock. The per-plan check is `blastRadiusPark` in the planner.
 */

/** The park of a contract held with its change. */
export type BlastRadiusPark = PlanPark & { reason: 'awaiting_confirmation' };

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

/** How long a change must have gone without new marks before it is judged. @defaultValue 2000 */
export const DEFAULT_CHANGE_SETTLE_MS = 2000;

export type GuardDecision =
  /** No IXC change behind the contract's mark: its own plan's per-contract check stands. */
  | { kind: 'contract' }
  /** The change is confirmed or within the threshold: apply, and count what it revokes. */
  | { kind: 'allow'; changeId: string; confirmed: boolean }
  | { kind: 'hold'; changeId: string; park: BlastRadiusPark };

export const originOf = (c: SourceChange): string =>
  describeOrigin({ table: c.originTable, row: c.originRow, rows: c.originRows, transaction: c.transactionId });

/**
 * The blast-radius guard for one contract whose plan revokes or cancels (`destructive` > 0): its
 * IXC change is judged as a whole, from what every contract of the change plans now (recorded
 * state, no platform call) plus what the change already revoked, read under the blast-radius lock.
 * One judgement at a time across slots and instances: the first contract of an oversized change
 * holds it before any of its contracts revokes (a sliding count let the first 50 of 500 through);
 * the others of the change then park on it. The contract's own plan is not read again: its lease
 * keeps its record, and a newer IXC change bumps its generation, so it runs again anyway.
 */
export function guardChange(deps: ReconcileDeps, contractId: number, destructive: number, options: ReconcileOptions): Promise<GuardDecision> {
  const name = namedLockName(deps.workSet.syncSchema, 'blast-radius');
  const lock = { name, timeoutSeconds: options.customerLockTimeoutSeconds, timeoutError: () => new BlastRadiusLockTimeoutError(name) };
  return withNamedLock(deps.dataSource, lock, () => judgeChange(deps, contractId, destructive, options));
}

async function judgeChange(deps: ReconcileDeps, contractId: number, destructive: number, options: ReconcileOptions): Promise<GuardDecision> {
  const syncSchema = deps.workSet.syncSchema;
  const manager = deps.dataSource.manager;
  const change = await changeOfContract(manager, syncSchema, contractId);
  if (change === null) return { kind: 'contract' };
  if (change.status === 'confirmed') return { kind: 'allow', changeId: change.id, confirmed: true };
  const threshold = options.blastRadiusThreshold;
  if (change.status === 'held') return { kind: 'hold', changeId: change.id, park: heldChangePark(change.id, originOf(change), change.destructive, threshold) };
  if (change.quietMs < (options.changeSettleMs ?? DEFAULT_CHANGE_SETTLE_MS)) throw new ChangeSettlingError(change.id);

  const others = (await contractsOfChange(manager, syncSchema, change.id)).filter((id) => id !== contractId);
  const inputs = await loadPlanInputs(manager, syncSchema, others, options.integrationId);
  const destructiveContracts = [contractId];
  let planned = destructive;
  for (const [id, input] of inputs) {
    const plan = planReconcile(buildDesiredState(input.source, options), input.recorded.observed, {
      tenantId: options.tenantId,
      blastRadiusThreshold: threshold,
      destructiveConfirmed: true,
    });
    if (plan.destructive === 0) continue;
    planned += plan.destructive;
    destructiveContracts.push(id);
  }
  destructiveContracts.sort((a, b) => a - b);
  const verdict = changeVerdict({ id: change.id, status: 'open', origin: originOf(change), applied: change.applied, planned, destructiveContracts }, threshold);
  if (verdict.kind === 'allow') return { kind: 'allow', changeId: change.id, confirmed: false };
  if (verdict.newlyHeld) await holdChange(manager, syncSchema, change.id, verdict.destructive, verdict.sample);
  return { kind: 'hold', changeId: change.id, park: verdict.park };
}

/** Counts what a change revoked, so a change still growing is judged on its whole. */
export function recordApplied(deps: ReconcileDeps, changeId: string, destructive: number): Promise<void> {
  return addAppliedToChange(deps.dataSource.manager, deps.workSet.syncSchema, changeId, destructive);
}
