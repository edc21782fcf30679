import type { DataSource } from 'typeorm';
import { q } from '../migrations/schema-names';
import type { CallContext, IotPlatform } from './ports/iot-platform';
import type { WorkSet } from './work-set/work-set';
import { MARK_PRIORITY } from './work-set/work-set-mark';
import { takePeriodicRun } from './work-set/work-set-resync';

/**
 * The newest licence of each product still recorded pending, the one read longest ago first
 * (never re-read: since its last write). Parameters: (limit).
 */
const DUE_SQL = (s: string) => `SELECT ls.contract_id, ls.platform_product_id, ls.epoch, ls.licence_ref
  FROM ${s}.\`licence_sync\` ls
 WHERE ls.status = 'pending' AND ls.licence_ref IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM ${s}.\`licence_sync\` newer
                    WHERE newer.contract_id = ls.contract_id AND newer.platform_product_id = ls.platform_product_id AND newer.epoch > ls.epoch)
 ORDER BY COALESCE(ls.checked_at, ls.updated_at), ls.contract_id
 LIMIT ?`;
/** Parameters: per row (contract_id, platform_product_id, epoch). `updated_at` keeps its value: only the read time moves. */
const CHECKED_SQL = (s: string, rows: number) => `UPDATE ${s}.\`licence_sync\` SET checked_at = NOW(3), updated_at = updated_at
 WHERE (contract_id, platform_product_id, epoch) IN (${Array.from({ length: rows }, () => '(?, ?, ?)').join(', ')})`;

/** Mark priority of a contract whose pending licence changed on the platform (the one scale: work-set-mark.ts). */
const PENDING_CHANGED_PRIORITY = MARK_PRIORITY.pendingLicenceChanged;

export interface PendingRefreshDeps {
  dataSource: DataSource;
  workSet: WorkSet;
  platform: IotPlatform;
}

export interface PendingRefreshResult {
  /** Licences read on the platform. */
  read: number;
  /** Contracts marked for a verify reconcile because a licence left `pending` there. */
  marked: number;
}

/**
 * DESIGN.md § The tab: a licence is pending until a device activates it on the platform, outside
 * the worker's view. Reads up to `limit` pending licences (one GET each, one at a time, through the
 * client's rate limit: a small, bounded share of the platform's allowance) and marks the contracts
 * whose licence changed for a verify reconcile, which writes the platform's status back to IXC's tab
 * through the usual fenced write-back. Nothing is written to IXC from here.
 */
export async function refreshPendingLicences(deps: PendingRefreshDeps, limit: number, signal?: AbortSignal): Promise<PendingRefreshResult> {
  const s = q(deps.workSet.syncSchema);
  const due = (await deps.dataSource.query(DUE_SQL(s), [limit])) as Array<{ contract_id: number | string; platform_product_id: string; epoch: number | string; licence_ref: string }>;
  const changed = new Set<number>();
  const read: unknown[][] = [];
  for (const row of due) {
    if (signal?.aborted) break;
    const contractId = Number(row.contract_id);
    const ctx: CallContext = { contractId, signal };
    const licence = await deps.platform.getLicence(row.licence_ref, ctx);
    read.push([contractId, row.platform_product_id, Number(row.epoch)]);
    if (licence?.status !== 'pending') changed.add(contractId);
  }
  if (read.length > 0) await deps.dataSource.query(CHECKED_SQL(s, read.length), read.flat());
  const marked = changed.size === 0 ? 0 : await deps.workSet.mark([...changed].map((contractId) => ({ contractId, priority: PENDING_CHANGED_PRIORITY })), { unpark: false, verify: true });
  return { read: read.length, marked };
}

/** `refreshPendingLicences` once per interval across instances (the first caller past the interval wins); null when not due. */
export async function refreshPendingLicencesIfDue(
  deps: PendingRefreshDeps,
  options: { intervalMs: number; limit: number; owner: string; signal?: AbortSignal },
): Promise<PendingRefreshResult | null> {
  if (!(await takePeriodicRun(deps.dataSource, deps.workSet.syncSchema, 'pending-licence-refresh', options.intervalMs, options.owner))) return null;
  return refreshPendingLicences(deps, options.limit, options.signal);
}
