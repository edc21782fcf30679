import type { DataSource } from 'typeorm';
import { listAllContractIds, listAwaitingConfirmation, listParkedContractIds } from '../../handlers/work-set/work-set-reads';
import { CliUsageError } from '../exit-codes';

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
  if (selection.contract?.length) {
    const ids = selection.contract.flatMap((v) => v.split(',')).map((v) => Number(v.trim()));
    const bad = ids.filter((id) => !Number.isSafeInteger(id) || id <= 0);
    if (bad.length > 0) throw new ReconcileUsageError(`--contract takes positive integer ids, got: ${selection.contract.join(' ')}`);
    return [...new Set(ids)].sort((a, b) => a - b);
  }
  if (selection.all) return listAllContractIds(dataSource, syncSchema);
  if (selection.failed || selection.confirm) return listParkedContractIds(dataSource, syncSchema, Boolean(selection.confirm));
  if (selection.dryRun) return listAwaitingConfirmation(dataSource, syncSchema);
  throw new ReconcileUsageError('Choose --contract <id>..., --all or --failed (or --confirm [change])');
}
