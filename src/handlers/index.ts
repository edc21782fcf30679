/**
 * The reconcile core. What other parts use:
 * - consumer (issue 6): `markContracts(dataSource, syncSchema, marks, options)` or `createWorkSet(...).mark(marks)`,
 *   then `slots.nudge()`;
 * - `cli start`: `createReconcileSlots(deps, options)` → start(), nudge(), stop(), events;
 * - `reconcile` CLI and `status`: `loadPlanInputs` + `observeContract` + `planContract` (read-only plan),
 *   `createWorkSet` (unpark, confirm).
 */
export { markContracts, normaliseMarks, type ContractMark, type MarkOptions } from './work-set/work-set-mark';
export { createWorkSet, DEFAULT_WORK_SET_OPTIONS, RECONCILE_PRIORITY, type WorkSet, type WorkSetOptions } from './work-set/work-set';
export type { Claim } from './work-set/work-set-claim';
export type { FailureDisposition } from './work-set/work-set-failure';
export { createReconcileSlots, DEFAULT_RECONCILE_SLOTS_OPTIONS, defaultOwner, type ReconcileSlots, type ReconcileSlotsDeps, type ReconcileSlotsOptions } from './reconcile-slots';
export { createReconcileEvents, type ReconcileEventMap, type ReconcileEventName, type ReconcileEvents } from './reconcile-events';
export { loadPlanInputs, type PlanInputs, type RecordedState } from './load/load-plan-inputs';
export {
  observeContract,
  planContract,
  planSummary,
  reconcileContract,
  type LoadedContract,
  type PlannedContract,
  type ReconcileDeps,
  type ReconcileOptions,
  type ReconcileOutcome,
  type ReconcileResult,
} from './reconcile-contract';
export { reconcileOptionsFromConfig } from './reconcile-options';
export { classifyFailure } from './classify-failure';
export {
  buildDesiredState,
  decideContractState,
  type ContractDecision,
  type ContractTarget,
  type DesiredState,
  type StatePolicies,
} from './plan/desired-state';
export { planReconcile, type ReconcilePlan } from './plan/plan-reconcile';
export { describeAction, type ReconcileAction } from './plan/reconcile-action';
export * from './errors';
export { formatHeldChange, heldChangeContracts, listHeldChanges, releaseAllChanges, releaseChange, UnknownChangeError, type HeldChange } from './held-changes';
export { cancelOrphans, findOrphans, formatOrphan, orphanDestructive, type Orphan } from './orphans/find-orphans';
export { guardOrphans, type OrphanGuard } from './orphans/orphan-change';
