import type { DataSource } from 'typeorm';
import { q } from '../../migrations/schema-names';
import { CliUsageError } from '../exit-codes';

/** Every contract IXC has, plus those only the sync state remembers (deleted rows). No parameters. */
const ALL_CONTRACTS_SQL = (s: string) => `SELECT id AS contract_id FROM cliente_contrato
 UNION SELECT contract_id FROM ${s}.\`contract_sync\` ORDER BY 1`;
/** Parked contracts; awaiting-confirmation parks only with `--confirm`. Parameters: (includeAwaiting). */
const PARKED_SQL = (s: string) => `SELECT contract_id FROM ${s}.\`contract_sync\`
 WHERE parked_reason IS NOT NULL AND (? = 1 OR parked_reason <> 'awaiting_confirmation') ORDER BY 1`;

/** Contracts held by the blast-radius guard. No parameters. */
const AWAITING_SQL = (s: string) => `SELECT contract_id FROM ${s}.\`contract_sync\` WHERE parked_reason = 'awaiting_confirmation' ORDER BY 1`;

export interface TargetSelection {
  contract?: string[];
  all?: boolean;
  failed?: boolean;
  /** `--confirm` alone, or `--confirm <change>` (its contracts are resolved by the caller). */
  confirm?: boolean | string;
  /** `--dry-run` with no selection plans the contracts held for confirmation. */
  dryRun?: boolean;
}

/** A bad combination of reconcile's flags: exit 2 (src/cli/exit-codes.ts). */
export class ReconcileUsageError extends CliUsageError {
  constructor(message: string) {
    super(message);
    this.name = 'ReconcileUsageError';
  }
}

/** Contract ids from `--contract <id>... | --all | --failed` (`--confirm` alone means every awaiting confirmation). */
export async function resolveTargets(dataSource: DataSource, syncSchema: string, selection: TargetSelection): Promise<number[]> {
  const chosen = [selection.contract?.length ? 'contract' : null, selection.all ? 'all' : null, selection.failed ? 'failed' : null].filter(Boolean);
  if (chosen.length > 1) throw new ReconcileUsageError('Choose one of --contract, --all or --failed');
  const s = q(syncSchema);
  if (selection.contract?.length) {
    const ids = selection.contract.flatMap((v) => v.split(',')).map((v) => Number(v.trim()));
    const bad = ids.filter((id) => !Number.isSafeInteger(id) || id <= 0);
    if (bad.length > 0) throw new ReconcileUsageError(`--contract takes positive integer ids, got: ${selection.contract.join(' ')}`);
    return [...new Set(ids)].sort((a, b) => a - b);
  }
  if (selection.all) return ((await dataSource.query(ALL_CONTRACTS_SQL(s))) as Array<{ contract_id: number }>).map((r) => Number(r.contract_id));
  if (selection.failed || selection.confirm) {
    const rows = (await dataSource.query(PARKED_SQL(s), [selection.confirm ? 1 : 0])) as Array<{ contract_id: number }>;
    return rows.map((r) => Number(r.contract_id));
  }
  if (selection.dryRun) return ((await dataSource.query(AWAITING_SQL(s))) as Array<{ contract_id: number }>).map((r) => Number(r.contract_id));
  throw new ReconcileUsageError('Choose --contract <id>..., --all or --failed (or --confirm [change])');
}
