import type { DataSource } from 'typeorm';
import { applyReconcilePlan } from './apply/apply-plan';
import { loadPlanInputs, type PlanInputs, type RecordedState } from './load/load-plan-inputs';
import { observePlatform } from './load/observe-platform';
import { guardChange, recordApplied } from './plan/change-guard';
import { buildDesiredState, type DesiredState } from './plan/desired-state';
import type { ObservedState } from './plan/observed-state';
import { planReconcile, type ReconcilePlan } from './plan/plan-reconcile';
import { describeAction } from './plan/reconcile-action';
import type { CallContext, IotPlatform } from './ports/iot-platform';
import type { Claim } from './work-set/work-set-claim';
import type { WorkSet } from './work-set/work-set';
import { writeBack } from './write-back/write-back';

export interface ReconcileDeps {
  dataSource: DataSource;
  workSet: WorkSet;
  platform: IotPlatform;
}

export interface ReconcileOptions {
  tenantId: string;
  integrationId: number;
  negativadoPolicy: 'suspend' | 'cancel';
  overduePolicy: 'suspend' | 'active';
  /** More revocations/cancellations than this in one IXC change wait for `reconcile --confirm`. */
  blastRadiusThreshold: number;
  /** A change is judged once it has gone this long without new marks. @defaultValue 2000 */
  changeSettleMs?: number;
  /** Wait for another reconcile's find-or-create of the same document. @defaultValue 30 */
  customerLockTimeoutSeconds: number;
}

/** What the load phase hands the plan: IXC's rows, the project's record and the platform's reads. */
export interface LoadedContract extends PlanInputs {
  observed: ObservedState;
}

export interface PlannedContract {
  desired: DesiredState;
  recorded: RecordedState;
  observed: ObservedState;
  plan: ReconcilePlan;
}

export type ReconcileOutcome = 'applied' | 'noop' | 'held' | 'parked';

export interface ReconcileResult {
  contractId: number;
  outcome: ReconcileOutcome;
  plan: ReconcilePlan;
  /** A newer mark arrived during the run: the contract stays dirty and runs again. */
  newerGeneration: boolean;
}

/** Plan summary stored on the sync row and printed by `reconcile` (no personal data). */
export function planSummary(plan: ReconcilePlan): string {
  return JSON.stringify({
    target: plan.target,
    rule: plan.rule,
    why: plan.why,
    ownership: plan.ownership,
    actions: plan.actions.map(describeAction),
    park: plan.park,
    warnings: plan.warnings,
  });
}

/**
 * One reconcile of a claimed contract, in its phases: load → plan (once) → apply → write back and
 * release. A park is returned (the caller records it with the lease); errors are thrown for the
 * caller to classify.
 */
export async function reconcileContract(
  deps: ReconcileDeps,
  claim: Claim,
  options: ReconcileOptions,
  signal: AbortSignal,
  claimed: Map<number, PlanInputs> | Promise<Map<number, PlanInputs>> = loadClaimed(deps, [claim], options),
): Promise<ReconcileResult> {
  const ctx: CallContext = { contractId: claim.contractId, signal };

  // 1. Load: the batched read of the claim's group (the slots load the contracts claimed together
  // in one read; alone, a batch of one), then the platform's reads. Read-only.
  const inputs = (await claimed).get(claim.contractId) as PlanInputs;
  const loaded = await observeContract(deps, inputs, options, claim.verify, ctx);

  // 2. Plan, once; a destructive plan is judged with its IXC change under the blast-radius lock.
  const planned = planContract(loaded, options, claim.destructiveConfirmed);
  const { plan, changeId } = await guardDestructive(deps, claim, options, planned);
  if (plan.park) return { contractId: claim.contractId, outcome: 'parked', plan, newerGeneration: false };

  // 3. Apply: the intent first, then the actions through the platform port.
  const applyDeps = {
    db: deps.dataSource.manager,
    syncSchema: deps.workSet.syncSchema,
    tenantId: options.tenantId,
    platform: deps.platform,
    customerLockTimeoutSeconds: options.customerLockTimeoutSeconds,
  };
  const final = await applyReconcilePlan(applyDeps, claim, { ...planned, plan }, ctx);

  // 4. Write back and release, in one fenced transaction.
  const outcome: ReconcileOutcome = plan.target === 'hold' ? 'held' : plan.actions.length > 0 ? 'applied' : 'noop';
  const fence = await writeBack(deps.dataSource, deps.workSet, {
    claim,
    desired: planned.desired,
    final,
    recorded: planned.recorded,
    integrationId: options.integrationId,
    outcome,
    planJson: planSummary(plan),
    ownership: plan.ownership,
    customerSaved: plan.actions.some((a) => a.kind === 'ensure-customer' || a.kind === 'update-customer'),
  });
  if (changeId !== null) await recordApplied(deps, changeId, plan.destructive);
  return { contractId: claim.contractId, outcome, plan, newerGeneration: fence.newerGeneration };
}

/** The load phase's database read for contracts claimed together: one batched read for all of them. */
export function loadClaimed(deps: ReconcileDeps, claims: readonly Claim[], options: ReconcileOptions): Promise<Map<number, PlanInputs>> {
  return loadPlanInputs(deps.dataSource.manager, deps.workSet.syncSchema, claims.map((c) => c.contractId), options.integrationId);
}

/**
 * The load phase's platform read for inputs the batched loader returned: intents resolved,
 * adoption, and in verify mode the platform's own state (DESIGN.md § Drift). Read-only.
 */
export async function observeContract(deps: Pick<ReconcileDeps, 'platform'>, inputs: PlanInputs, options: ReconcileOptions, verify: boolean, ctx: CallContext): Promise<LoadedContract> {
  const observed = await observePlatform(deps.platform, { contractId: inputs.source.contractId, tenantId: options.tenantId, recorded: inputs.recorded, verify, ctx });
  return { ...inputs, observed };
}

/** The plan phase on a loaded contract: the desired state and the pure planner. Pure (`--dry-run` uses it alone). */
export function planContract(loaded: LoadedContract, options: ReconcileOptions, destructiveConfirmed: boolean): PlannedContract {
  const desired = buildDesiredState(loaded.source, options);
  const plan = planReconcile(desired, loaded.observed, { tenantId: options.tenantId, blastRadiusThreshold: options.blastRadiusThreshold, destructiveConfirmed });
  return { desired, recorded: loaded.recorded, observed: loaded.observed, plan };
}

/**
 * The plan's guard: a plan that revokes or cancels, unconfirmed and not parked for another reason,
 * is judged with its IXC change (`guardChange`). Held: parked on the change. Allowed: the change
 * passed the check, so the pure planner is re-run on the same inputs as confirmed, and what it
 * revokes is counted on the change (`changeId`) once applied.
 */
async function guardDestructive(
  deps: ReconcileDeps,
  claim: Claim,
  options: ReconcileOptions,
  planned: PlannedContract,
): Promise<{ plan: ReconcilePlan; changeId: string | null }> {
  const { plan } = planned;
  const otherPark = plan.park !== null && plan.park.reason !== 'awaiting_confirmation';
  if (plan.destructive === 0 || claim.destructiveConfirmed || otherPark) return { plan, changeId: null };
  const decision = await guardChange(deps, claim.contractId, plan.destructive, options);
  if (decision.kind === 'contract') return { plan, changeId: null };
  if (decision.kind === 'hold') return { plan: { ...plan, park: decision.park }, changeId: null };
  const confirmed = planReconcile(planned.desired, planned.observed, { tenantId: options.tenantId, blastRadiusThreshold: options.blastRadiusThreshold, destructiveConfirmed: true });
  return { plan: confirmed, changeId: decision.changeId };
}
