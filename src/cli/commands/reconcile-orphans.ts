import { cancelOrphans, findOrphans, formatOrphan, orphanDestructive } from '../../handlers/orphans/find-orphans';
import { guardOrphans } from '../../handlers/orphans/orphan-change';
import type { ReconcileDeps } from '../../handlers/reconcile-contract';
import type { CliContext } from '../cli-context';

/**
 * `reconcile --orphans [--confirm [change]] [--dry-run]`: lists the orphans; with `--confirm`,
 * cancels them, as one change under the blast-radius guard (above the threshold it is held until
 * confirmed by its id).
 */
export async function reconcileOrphans(
  ctx: CliContext,
  deps: ReconcileDeps,
  o: { tenantId: string; threshold: number; confirm: boolean | string | undefined; dryRun: boolean },
): Promise<void> {
  const syncSchema = deps.workSet.syncSchema;
  const orphans = await findOrphans(deps.dataSource, deps.platform, { tenantId: o.tenantId, syncSchema });
  for (const orphan of orphans) ctx.print(formatOrphan(orphan));
  const destructive = orphanDestructive(orphans);
  ctx.print(`${orphans.length} orphan subscription(s); cancelling them makes ${destructive} revocation(s)/cancellation(s)`);
  if (orphans.length === 0) return;
  if (!o.confirm || o.dryRun) {
    ctx.print(o.dryRun ? 'dry run: nothing changed' : 'nothing changed; `reconcile --orphans --confirm` cancels them');
    process.exitCode = 1;
    return;
  }
  const guard = await guardOrphans(deps.dataSource, syncSchema, orphans, o.threshold, typeof o.confirm === 'string' ? o.confirm : null);
  if (guard.kind === 'held') {
    ctx.print(
      `held as change ${guard.changeId}: ${guard.destructive} revocation(s)/cancellation(s), above the blast-radius threshold of ${o.threshold}; ` +
        `run "reconcile --orphans --confirm ${guard.changeId}" to cancel them`,
    );
    process.exitCode = 1;
    return;
  }
  const done = await cancelOrphans(deps.platform, orphans);
  ctx.print(`cancelled ${done.cancelled} orphan subscription(s), revoked ${done.revoked} licence(s)`);
}
