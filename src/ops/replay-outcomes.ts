import type { Query } from '../consumers/mark-batch';
import { maskText } from '../lib/mask';
import { readLastOutcomes } from '../handlers/work-set/work-set-reads';

interface ReplayOutcomes {
  /** Contracts still waiting (dirty, not parked) when the wait ended. */
  pending: number[];
  byOutcome: Record<string, number>;
  /** Contracts whose last reconcile did something, with what it did (masked). */
  actions: Array<{ contractId: number; outcome: string | null; actions: string[] }>;
  parked: Array<{ contractId: number; reason: string }>;
}

const CHUNK = 1000;

/** Where the replayed contracts stand now: pending, outcomes, and the actions their last plans took. */
export async function readReplayOutcomes(query: Query, syncSchema: string, contracts: readonly number[]): Promise<ReplayOutcomes> {
  const out: ReplayOutcomes = { pending: [], byOutcome: {}, actions: [], parked: [] };
  for (let i = 0; i < contracts.length; i += CHUNK) {
    const rows = await readLastOutcomes({ query }, syncSchema, contracts.slice(i, i + CHUNK));
    for (const r of rows) {
      const id = Number(r.contract_id);
      if (r.parked_reason) {
        out.parked.push({ contractId: id, reason: r.parked_reason });
        out.byOutcome.parked = (out.byOutcome.parked ?? 0) + 1;
        continue;
      }
      if (Number(r.dirty) === 1) {
        out.pending.push(id);
        continue;
      }
      const outcome = r.last_outcome ?? 'unknown';
      out.byOutcome[outcome] = (out.byOutcome[outcome] ?? 0) + 1;
      const actions = planActions(r.last_plan);
      if (actions.length > 0) out.actions.push({ contractId: id, outcome: r.last_outcome, actions: actions.map(maskText) });
    }
  }
  out.pending.sort((a, b) => a - b);
  out.actions.sort((a, b) => a.contractId - b.contractId);
  return out;
}

function planActions(json: string | null): string[] {
  if (!json) return [];
  try {
    const plan = JSON.parse(json) as { actions?: unknown };
    return Array.isArray(plan.actions) ? plan.actions.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}
