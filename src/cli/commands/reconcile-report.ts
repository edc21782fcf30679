import type { DataSource } from 'typeorm';
import { readLastOutcomes } from '../../handlers/work-set/work-set-reads';
import { maskText } from '../../lib/mask';

/** One contract's outcome as `reconcile` prints it. */
export interface ContractReport {
  contractId: number;
  outcome: string;
  target: string | null;
  why: string | null;
  /** "ownership changed from cliente X to Y" when the plan moved the contract to another platform owner. */
  ownership: string | null;
  actions: string[];
  park: { reason: string; detail: string | null } | null;
  error: string | null;
  warnings: string[];
  dirty: boolean;
}

type StoredPlan = { target?: string; why?: string; ownership?: string | null; actions?: string[]; warnings?: string[] };

function parsePlan(text: string | null): StoredPlan {
  if (!text) return {};
  try {
    return JSON.parse(text) as StoredPlan;
  } catch {
    return {};
  }
}

export async function loadReports(dataSource: DataSource, syncSchema: string, ids: readonly number[]): Promise<ContractReport[]> {
  if (ids.length === 0) return [];
  const rows = await readLastOutcomes(dataSource, syncSchema, ids);
  return rows.map((r) => {
    const plan = parsePlan(r.last_plan);
    const parked = r.parked_reason !== null;
    return {
      contractId: Number(r.contract_id),
      outcome: parked ? 'parked' : Number(r.dirty) === 1 ? (r.last_outcome === 'failed' || r.last_outcome === 'rescheduled' ? r.last_outcome : 'pending') : (r.last_outcome ?? 'unknown'),
      target: plan.target ?? null,
      why: plan.why ?? null,
      ownership: plan.ownership ?? null,
      actions: plan.actions ?? [],
      park: parked ? { reason: r.parked_reason as string, detail: r.parked_detail } : null,
      error: r.last_error === null ? null : maskText(r.last_error),
      warnings: plan.warnings ?? [],
      dirty: Number(r.dirty) === 1,
    };
  });
}

/** Human lines for one contract. */
export function formatReport(r: ContractReport): string[] {
  const head = `contract ${r.contractId}: ${r.outcome}${r.target ? ` (desired ${r.target}${r.why ? `: ${r.why}` : ''})` : ''}`;
  const lines = [head];
  if (r.ownership) lines.push(`  ${r.ownership}`);
  lines.push(...r.actions.map((a) => `  - ${a}`));
  if (r.park) lines.push(`  parked: ${r.park.reason}${r.park.detail ? ` — ${r.park.detail}` : ''}`);
  if (r.error && !r.park) lines.push(`  last error: ${r.error}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines;
}
