import { describeOrigin } from './plan/describe-origin';
import { buildDesiredState } from './desired/desired-state';
import { ChangeSettlingError } from './errors';
import { changeVerdict, heldChangePark, type BlastRadiusPark } from './plan/blast-radius';
import { planReconcile } from './plan/plan-reconcile';
import { addAppliedToChange, changeOfContract, contractsOfChange, holdChange, type SourceChange } from './store/source-changes';
import { loadPlanInputs, type ReconcileDeps, type ReconcileOptions } from './reconcile-contract';

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
 * The blast-radius guard for one contract whose plan revokes or cancels (`destructive` > 0), run
 * under the blast-radius lock: its IXC change is judged as a whole, from what every contract of the
 * change plans now (recorded state, no platform call) plus what the change already revoked. The
 * first contract to find an oversized change holds it; the others of the change then park on it.
 */
export async function guardChange(deps: ReconcileDeps, contractId: number, destructive: number, options: ReconcileOptions): Promise<GuardDecision> {
  const syncSchema = deps.workSet.syncSchema;
  const manager = deps.dataSource.manager;
  const change = await changeOfContract(manager, syncSchema, contractId);
  if (change === null) return { kind: 'contract' };
  if (change.status === 'confirmed') return { kind: 'allow', changeId: change.id, confirmed: true };
  const threshold = options.blastRadiusThreshold;
  if (change.status === 'held') return { kind: 'hold', changeId: change.id, park: heldChangePark(change.id, originOf(change), change.destructive, threshold) };
  if (change.quietMs < (options.changeSettleMs ?? DEFAULT_CHANGE_SETTLE_MS)) throw new ChangeSettlingError(change.id);

  const others = (await contractsOfChange(manager, syncSchema, change.id)).filter((id) => id !== contractId);
  const inputs = await loadPlanInputs(deps, others, options);
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
