import type { DataSource, EntityManager } from 'typeorm';
import { applyPlan } from './apply/apply-plan';
import { ensureCustomer, updateCustomerOnce } from './apply/ensure-customer';
import { observePlatform } from './apply/observe-platform';
import { buildDesiredState, contractClienteId, type DesiredState } from './desired/desired-state';
import type { CallContext, IotPlatform } from './ports/iot-platform';
import { nextIntent } from './plan/next-intent';
import type { ObservedState } from './plan/observed-state';
import { planReconcile, type ReconcilePlan } from './plan/plan-reconcile';
import { describeAction } from './plan/reconcile-action';
import type { ContractSource } from './desired/desired-state';
import { loadContractSource, loadContractSources } from './store/load-contract-source';
import { loadRecordedState, loadRecordedStates, type RecordedState } from './store/load-recorded-state';
import { BlastRadiusLockTimeoutError } from './errors';
import { namedLockName, withNamedLock } from './store/named-lock';
import { guardChange, recordApplied } from './change-guard';
import { recordIntent } from './store/record-intent';
import { writeBack } from './store/write-back';
import type { Claim } from './work-set/work-set-claim';
import type { WorkSet } from './work-set/work-set';

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

/** What a plan is made from, read from the database: IXC's rows and the project's record. */
export interface PlanInputs {
  source: ContractSource;
  recorded: RecordedState;
}

/**
 * The plan inputs of many contracts in a handful of statements, whatever their number: the slots
 * read them once per claimed batch, right after the claim commits, instead of six statements per
 * contract. Read after the claim, they are as fresh as a per-contract read: a change committed
 * later bumps the generation, so the release keeps the contract dirty and it runs again.
 */
export async function loadPlanInputs(deps: ReconcileDeps, contractIds: readonly number[], options: ReconcileOptions): Promise<Map<number, PlanInputs>> {
  const manager = deps.dataSource.manager;
  const sources = await loadContractSources(manager, contractIds);
  const owners = [...sources.values()].map((source) => ({ contractId: source.contractId, clienteId: contractClienteId(source) }));
  const recorded = await loadRecordedStates(manager, deps.workSet.syncSchema, owners, options.integrationId);
  const inputs = new Map<number, PlanInputs>();
  for (const [contractId, source] of sources) {
    const state = recorded.get(contractId);
    if (state) inputs.set(contractId, { source, recorded: state });
  }
  return inputs;
}

/**
 * Reads IXC and the recorded (or platform) state and plans. Read-only on both sides: `--dry-run` uses it alone.
 * `preloaded` (from `loadPlanInputs`) replaces the two reads; `manager` is a named lock's, under one.
 */
export async function planContract(
  deps: ReconcileDeps,
  contractId: number,
  options: ReconcileOptions,
  mode: { verify: boolean; destructiveConfirmed: boolean },
  ctx: CallContext,
  preloaded?: PlanInputs,
  manager: EntityManager = deps.dataSource.manager,
): Promise<PlannedContract> {
  const source = preloaded?.source ?? (await loadContractSource(manager, contractId));
  const desired = buildDesiredState(source, options);
  const recorded =
    preloaded?.recorded ?? (await loadRecordedState(manager, deps.workSet.syncSchema, contractId, desired.customer.clienteId, options.integrationId));
  const observed = await observePlatform(deps.platform, { contractId, tenantId: options.tenantId, recorded, verify: mode.verify, ctx });
  const plan = planReconcile(desired, observed, { tenantId: options.tenantId, blastRadiusThreshold: options.blastRadiusThreshold, destructiveConfirmed: mode.destructiveConfirmed });
  return { desired, recorded, observed, plan };
}

/**
 * One reconcile of a claimed contract: plan, park when the plan says so, record the intent
 * before any create, apply, then write back and release in one fenced transaction. A park is
 * returned (the caller records it with the lease); errors are thrown for the caller to classify.
 */
export async function reconcileContract(
  deps: ReconcileDeps,
  claim: Claim,
  options: ReconcileOptions,
  signal: AbortSignal,
  preloaded?: PlanInputs,
): Promise<ReconcileResult> {
  const ctx: CallContext = { contractId: claim.contractId, signal };
  const mode = { verify: claim.verify, destructiveConfirmed: claim.destructiveConfirmed };
  const planned = await planContract(deps, claim.contractId, options, mode, ctx, preloaded);
  const db = deps.dataSource.manager;
  if (planned.plan.destructive === 0 || mode.destructiveConfirmed || isOtherPark(planned.plan)) return applyPlanned(deps, db, claim, options, planned, ctx);
  // The IXC change behind the mark is judged as a whole, one judgement at a time across slots and
  // instances: the first contract of an oversized change holds it before any of its contracts
  // revokes (a sliding count let the first 50 of 500 through). Re-planned under the lock.
  const name = namedLockName(deps.workSet.syncSchema, 'blast-radius');
  const lock = { name, timeoutSeconds: options.customerLockTimeoutSeconds, timeoutError: () => new BlastRadiusLockTimeoutError(name) };
  const judged = await withNamedLock(deps.dataSource, lock, async (manager) => {
    const fresh = await planContract(deps, claim.contractId, options, mode, ctx, undefined, manager);
    if (fresh.plan.destructive === 0 || isOtherPark(fresh.plan)) return { fresh, decision: null };
    return { fresh, decision: await guardChange(deps, claim.contractId, fresh.plan.destructive, options) };
  });
  const { fresh, decision } = judged;
  if (decision === null || decision.kind === 'contract') return applyPlanned(deps, db, claim, options, fresh, ctx);
  if (decision.kind === 'hold') return applyPlanned(deps, db, claim, options, { ...fresh, plan: { ...fresh.plan, park: decision.park } }, ctx);
  // Allowed as part of its change: the per-contract check is the change's, already passed.
  const plan = decision.confirmed || fresh.plan.park !== null ? { ...fresh.plan, park: null } : fresh.plan;
  const result = await applyPlanned(deps, db, claim, options, { ...fresh, plan }, ctx);
  await recordApplied(deps, decision.changeId, plan.destructive);
  return result;
}

const isOtherPark = (plan: ReconcilePlan): boolean => plan.park !== null && plan.park.reason !== 'awaiting_confirmation';

/** Applies a plan; `db` is the pool's manager, or a named lock's when the caller holds one. */
async function applyPlanned(
  deps: ReconcileDeps,
  db: EntityManager,
  claim: Claim,
  options: ReconcileOptions,
  planned: PlannedContract,
  ctx: CallContext,
): Promise<ReconcileResult> {
  const { desired, recorded, observed, plan } = planned;
  if (plan.park) return { contractId: claim.contractId, outcome: 'parked', plan, newerGeneration: false };

  const intent = nextIntent(plan, observed, options.tenantId, desired.customer.clienteId);
  if (intent) await recordIntent(db, deps.workSet, claim, intent);
  const customerDeps = {
    db,
    syncSchema: deps.workSet.syncSchema,
    tenantId: options.tenantId,
    platform: deps.platform,
    lockTimeoutSeconds: options.customerLockTimeoutSeconds,
  };
  const final = await applyPlan(
    {
      platform: deps.platform,
      ensureCustomer: (clienteId, action, callCtx) => ensureCustomer(customerDeps, clienteId, action.input, action.fingerprint, callCtx),
      updateCustomer: (clienteId, ref, action, callCtx) => updateCustomerOnce(customerDeps, clienteId, ref, action.input, action.fingerprint, callCtx),
    },
    plan,
    desired,
    observed,
    ctx,
  );
  const outcome: ReconcileOutcome = plan.target === 'hold' ? 'held' : plan.actions.length > 0 ? 'applied' : 'noop';
  const fence = await writeBack(db, deps.workSet, {
    claim,
    desired,
    final,
    recorded,
    integrationId: options.integrationId,
    outcome,
    planJson: planSummary(plan),
    ownership: plan.ownership,
    customerSaved: plan.actions.some((a) => a.kind === 'ensure-customer' || a.kind === 'update-customer'),
  });
  return { contractId: claim.contractId, outcome, plan, newerGeneration: fence.newerGeneration };
}
