import type { DataSource } from 'typeorm';
import { loadPlanInputs, type PlanInputs } from '../handlers/load/load-plan-inputs';
import { observePlatform } from '../handlers/load/observe-platform';
import { buildDesiredState, type DesiredState } from '../handlers/plan/desired-state';
import type { ObservedState } from '../handlers/plan/observed-state';
import { planReconcile } from '../handlers/plan/plan-reconcile';
import { describeAction } from '../handlers/plan/reconcile-action';
import type { IotPlatform } from '../handlers/ports/iot-platform';
import type { ReconcileOptions } from '../handlers/reconcile-contract';
import { readWorkSetRow } from '../handlers/work-set/work-set-reads';
import { coerceError } from '../lib/coerce-error';
import { maskText, redactValue } from '../lib/mask';
import { q } from '../migrations/schema-names';

/** One contract explained: work-set row, desired (IXC), recorded (sync rows), platform, plan, audit trail. */
export interface ContractReport {
  contractId: number;
  workSet: WorkSetRow | null;
  /** Personal data masked. Null when it could not be built (reason in `notes`). */
  desired: unknown;
  recorded: ObservedState | null;
  /** Null when the platform was not asked (not configured) or failed (reason in `notes`). */
  platform: ObservedState | null;
  /** What a reconcile would do now: against the platform when it answered, else against the record. */
  plan: { against: 'platform' | 'recorded'; target: string; rule: number; why: string; actions: string[]; park: unknown; warnings: string[] } | null;
  /**
   * The contract's change of platform owner: "ownership changed from cliente X to Y", from the plan
   * when it would move it now, else the last one applied; null when none.
   */
  ownership: string | null;
  audit: AuditRow[];
  notes: string[];
}

interface WorkSetRow {
  dirty: boolean;
  generation: number;
  priority: number;
  markedAgoSeconds: number | null;
  nextAttemptInSeconds: number | null;
  attempts: number;
  leaseOwner: string | null;
  parkedReason: string | null;
  parkedDetail: string | null;
  lastOutcome: string | null;
  lastReconciledAgoSeconds: number | null;
  lastError: string | null;
  lastErrorAgoSeconds: number | null;
  verifyRequested: boolean;
}

interface AuditRow {
  at: string;
  method: string;
  path: string;
  status: number | null;
  durationMs: number;
  attempt: number;
  error: string | null;
}

interface ContractReportDeps {
  dataSource: DataSource;
  /** Null when the platform is not configured: desired and recorded only. */
  platform: IotPlatform | null;
}

interface ContractReportOptions {
  syncSchema: string;
  /** Null when IOT_TENANT_ID is missing: no desired state, no plan. */
  reconcile: ReconcileOptions | null;
  /** @defaultValue 20 */
  auditRows?: number;
}

// Parameters: (contract_id, limit). Newest first; bodies stay in the table.
const AUDIT_SQL = (s: string): string => `SELECT DATE_FORMAT(at, '%Y-%m-%dT%H:%i:%s.%fZ') AS at_iso, method, path, status, duration_ms, attempt, error
  FROM ${s}.api_audit WHERE contract_id = ? ORDER BY at DESC, id DESC LIMIT ?`;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Explains one contract for `status --contract`: read-only on IXC, the sync schema and the
 * platform (GETs only, no audit rows written). Everything personal is masked.
 */
export async function explainContract(deps: ContractReportDeps, contractId: number, options: ContractReportOptions): Promise<ContractReport> {
  const s = q(options.syncSchema);
  const manager = deps.dataSource.manager;
  const notes: string[] = [];
  const report: ContractReport = { contractId, workSet: null, desired: null, recorded: null, platform: null, plan: null, ownership: null, audit: [], notes };

  const row = await readWorkSetRow(manager, options.syncSchema, contractId);
  if (row) {
    report.workSet = {
      dirty: Number(row.dirty) === 1,
      generation: Number(row.generation),
      priority: Number(row.priority),
      markedAgoSeconds: num(row.marked_ago_s),
      nextAttemptInSeconds: num(row.next_in_s),
      attempts: Number(row.attempts),
      leaseOwner: (row.lease_owner as string | null) ?? null,
      parkedReason: (row.parked_reason as string | null) ?? null,
      parkedDetail: row.parked_detail ? maskText(String(row.parked_detail)) : null,
      lastOutcome: (row.last_outcome as string | null) ?? null,
      lastReconciledAgoSeconds: num(row.reconciled_ago_s),
      lastError: row.last_error ? maskText(String(row.last_error)) : null,
      lastErrorAgoSeconds: num(row.error_ago_s),
      verifyRequested: Number(row.verify_requested) === 1,
    };
  } else notes.push('no sync row: the worker has never marked this contract');

  let desired: DesiredState | null = null;
  let inputs: PlanInputs | undefined;
  try {
    inputs = (await loadPlanInputs(manager, options.syncSchema, [contractId], options.reconcile?.integrationId)).get(contractId);
  } catch (thrown) {
    notes.push(`IXC rows and the recorded state could not be read: ${maskText(coerceError(thrown).message)}`);
  }

  if (inputs) {
    const { source, recorded } = inputs;
    try {
      if (options.reconcile) {
        desired = buildDesiredState(source, { ...options.reconcile });
        report.desired = redactValue(desired);
      } else notes.push('IOT_TENANT_ID is not set: the desired state cannot be built');
    } catch (thrown) {
      notes.push(`the desired state could not be built: ${maskText(coerceError(thrown).message)}`);
    }
    report.recorded = recorded.observed;
    if (deps.platform && options.reconcile) {
      try {
        report.platform = await observePlatform(deps.platform, { contractId, tenantId: options.reconcile.tenantId, recorded, verify: true, ctx: { contractId } });
      } catch (thrown) {
        notes.push(`the platform could not be read: ${maskText(coerceError(thrown).message)}`);
      }
    } else if (!deps.platform) notes.push('the platform is not configured: recorded state only');
  }

  const against = report.platform ?? report.recorded;
  if (desired && against && options.reconcile) {
    const plan = planReconcile(desired, against, {
      tenantId: options.reconcile.tenantId,
      blastRadiusThreshold: options.reconcile.blastRadiusThreshold,
      destructiveConfirmed: false,
    });
    report.plan = {
      against: report.platform ? 'platform' : 'recorded',
      target: plan.target,
      rule: plan.rule,
      why: plan.why,
      actions: plan.actions.map((a) => maskText(describeAction(a))),
      park: redactValue(plan.park),
      warnings: plan.warnings.map(maskText),
    };
    report.ownership = plan.ownership;
  }
  report.ownership ??= typeof row?.owner_change === 'string' ? row.owner_change : null;

  const audit = (await manager.query(AUDIT_SQL(s), [contractId, options.auditRows ?? 20])) as Array<Record<string, unknown>>;
  report.audit = audit.map((r) => ({
    at: String(r.at_iso).replace(/(\.\d{3})\d*Z$/, '$1Z'),
    method: String(r.method),
    path: maskText(String(r.path)),
    status: num(r.status),
    durationMs: Number(r.duration_ms),
    attempt: Number(r.attempt),
    error: r.error ? maskText(String(r.error)) : null,
  }));
  return report;
}
