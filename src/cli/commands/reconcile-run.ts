import type { DataSource } from 'typeorm';
import { createReconcileSlots, defaultOwner, type ReconcileSlotsOptions } from '../../handlers/reconcile-slots';
import { MARK_PRIORITY } from '../../handlers/work-set/work-set-mark';
import type { ReconcileDeps, ReconcileOptions } from '../../handlers/reconcile-contract';
import { countUnsettled } from '../../handlers/work-set/work-set-reads';
import type { Logger } from '../../lib/logger';

export interface RunMarksOptions {
  verify: boolean;
  /** Stop waiting after this long. */
  timeoutMs: number;
  pollMs: number;
  slots: Omit<ReconcileSlotsOptions, 'reconcile'>;
  reconcile: ReconcileOptions;
  /** A worker heartbeat fresher than this means "a worker is running: wait, do not reconcile here". */
  workerFreshMs: number;
  onReconcileEnd?: () => Promise<unknown>;
  logger?: Logger;
  /** Called at each poll with the number of contracts settled so far. */
  onProgress?: (settled: number) => void;
}

export interface RunMarksResult {
  ranLocally: boolean;
  timedOut: boolean;
}

/**
 * Marks through the work set (never reconciles inline beside a running worker): when a worker's
 * heartbeat is fresh it only waits; otherwise it runs local slots until its marks settle.
 */
export async function runMarks(dataSource: DataSource, deps: ReconcileDeps, ids: readonly number[], options: RunMarksOptions): Promise<RunMarksResult> {
  const [{ now }] = (await dataSource.query('SELECT NOW(3) AS now')) as [{ now: Date }];
  await deps.workSet.mark(ids.map((contractId) => ({ contractId, priority: MARK_PRIORITY.operator })), { verify: options.verify, unpark: true });
  const workers = await deps.workSet.liveWorkers(options.workerFreshMs);
  const ranLocally = workers.length === 0;
  const slots = ranLocally
    ? createReconcileSlots(
        { ...deps, logger: options.logger, onReconcileEnd: options.onReconcileEnd },
        { ...options.slots, owner: `cli:${defaultOwner()}`, heartbeat: false, verifyResyncIntervalMs: 0, pendingLicenceRefreshIntervalMs: 0, reconcile: options.reconcile },
      )
    : null;
  if (!ranLocally) options.logger?.info('a worker is running; waiting for it', { workers });
  slots?.start();
  const deadline = Date.now() + options.timeoutMs;
  let timedOut = false;
  try {
    for (;;) {
      const unsettled = await countUnsettled(dataSource, deps.workSet.syncSchema, ids, now);
      options.onProgress?.(ids.length - unsettled);
      if (unsettled === 0) break;
      if (Date.now() > deadline) {
        timedOut = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
  } finally {
    await slots?.stop();
  }
  return { ranLocally, timedOut };
}
