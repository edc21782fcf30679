import { describeAction } from '../../handlers/plan/reconcile-action';
import { loadPlanInputs, type PlanInputs } from '../../handlers/load/load-plan-inputs';
import { observeContract, planContract, type ReconcileDeps, type ReconcileOptions } from '../../handlers/reconcile-contract';
import { coerceError } from '../../lib/coerce-error';
import { maskText } from '../../lib/mask';

export interface DryRunReport {
  contractId: number;
  target: string | null;
  why: string | null;
  /** "ownership changed from cliente X to Y" when the plan moves the contract to another platform owner. */
  ownership: string | null;
  actions: string[];
  park: { reason: string; detail: string } | null;
  warnings: string[];
  error: string | null;
}

/**
 * Plans each contract without marking, writing or calling anything but reads: IXC and the sync
 * state, plus the platform's GETs in verify mode (and for intent look-ups and adoption).
 */
export async function dryRunPlans(deps: ReconcileDeps, ids: readonly number[], options: ReconcileOptions, verify: boolean): Promise<DryRunReport[]> {
  const reports: DryRunReport[] = [];
  // The batched loader reads every contract's rows at once; a failure there fails each contract.
  const loaded = await loadPlanInputs(deps.dataSource.manager, deps.workSet.syncSchema, ids, options.integrationId).catch((thrown: unknown) => coerceError(thrown));
  for (const contractId of ids) {
    try {
      if (loaded instanceof Error) throw loaded;
      const inputs = loaded.get(contractId) as PlanInputs;
      const { plan } = planContract(await observeContract(deps, inputs, options, verify, { contractId }), options, false);
      reports.push({
        contractId,
        target: plan.target,
        why: plan.why,
        ownership: plan.ownership,
        actions: plan.actions.map(describeAction),
        park: plan.park,
        warnings: plan.warnings,
        error: null,
      });
    } catch (thrown) {
      const err = coerceError(thrown);
      reports.push({ contractId, target: null, why: null, ownership: null, actions: [], park: null, warnings: [], error: maskText(`${err.name}: ${err.message}`) });
    }
  }
  return reports;
}
