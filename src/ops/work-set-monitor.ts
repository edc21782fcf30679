import type { Query } from '../consumers/mark-batch';
import { coerceError } from '../lib/coerce-error';
import type { Logger } from '../lib/logger';
import { maskText } from '../lib/mask';
import { listHeldChanges, type HeldChange } from '../handlers/held-changes';
import { q } from '../migrations/schema-names';
import { OpsOptionError } from './errors';
import type { Metrics } from './metrics';
import { createPoller } from './poller';

/** A contract whose last reconcile failed and that is not settled yet (still dirty, or parked). */
interface RecentFailure {
  contractId: number;
  /** Masked: personal data never leaves through the status page. */
  error: string;
  attempts: number;
  parkedReason: string | null;
  /** Seconds since the error, by the database clock. */
  ageSeconds: number | null;
}

export interface WorkSetSnapshot {
  /** False when the last poll could not query the database. */
  ok: boolean;
  error: string | null;
  checkedAt: number | null;
  /** Contracts marked dirty and not parked. */
  backlog: number;
  /** Age of the oldest pending mark, by the database clock; 0 when the backlog is empty. */
  oldestAgeSeconds: number;
  /** Contracts under a live lease (in flight on some instance). */
  leased: number;
  parkedByReason: Record<string, number>;
  recentFailures: RecentFailure[];
  /** IXC changes held by the blast-radius guard until `reconcile --confirm <id>`. */
  heldChanges: HeldChange[];
}

interface WorkSetMonitorOptions {
  /** The project's schema holding `contract_sync`. */
  syncSchema: string;
  /** @defaultValue 10000 */
  pollIntervalMs?: number;
  /** How many unsettled failures to list. @defaultValue 20 */
  recentFailures?: number;
}

const DEFAULT_WORK_SET_MONITOR_OPTIONS = {
  pollIntervalMs: 10_000,
  recentFailures: 20,
} satisfies Partial<Required<WorkSetMonitorOptions>>;

interface WorkSetMonitorDeps {
  /** Read-only queries on the project's database. */
  query: Query;
  metrics?: Metrics;
  logger?: Logger;
  now?: () => number;
}

export interface WorkSetMonitor {
  start(): void;
  stop(): Promise<void>;
  poll(): Promise<WorkSetSnapshot>;
  snapshot(): WorkSetSnapshot;
}

// Backlog and the age of its oldest mark, by the database clock (the marks are written with it).
// Uses idx_contract_sync_claim (dirty, next_attempt_at).
const BACKLOG = (s: string): string => `SELECT COUNT(*) AS backlog,
  TIMESTAMPDIFF(MICROSECOND, MIN(marked_at), NOW(3)) / 1000000 AS oldest_age_s
  FROM ${s}.contract_sync WHERE dirty = 1 AND parked_reason IS NULL`;
// Live leases. Uses idx_contract_sync_lease.
const LEASED = (s: string): string => `SELECT COUNT(*) AS leased FROM ${s}.contract_sync WHERE lease_expires_at > NOW(3)`;
// Parked counts by reason. Uses idx_contract_sync_parked.
const PARKED = (s: string): string => `SELECT parked_reason AS reason, COUNT(*) AS n FROM ${s}.contract_sync
  WHERE parked_reason IS NOT NULL GROUP BY parked_reason`;
// Unsettled failures, newest first. Parameter: limit.
const FAILURES = (s: string): string => `SELECT contract_id, last_error, attempts, parked_reason,
  TIMESTAMPDIFF(MICROSECOND, last_error_at, NOW(3)) / 1000000 AS age_s
  FROM ${s}.contract_sync WHERE last_error IS NOT NULL AND (dirty = 1 OR parked_reason IS NOT NULL)
  ORDER BY last_error_at DESC LIMIT ?`;

/**
 * The work lag: dirty backlog, the age of its oldest mark, in-flight leases, parked counts by
 * reason and the failures not yet settled. A consumer can be caught up while reconciles are
 * stuck; this is where that shows.
 */
export function createWorkSetMonitor(deps: WorkSetMonitorDeps, options: WorkSetMonitorOptions): WorkSetMonitor {
  const s = q(options.syncSchema);
  const o = { ...DEFAULT_WORK_SET_MONITOR_OPTIONS, ...options };
  if (o.recentFailures < 0) throw new OpsOptionError('recentFailures', `must be 0 or more, got ${o.recentFailures}`);
  const now = deps.now ?? Date.now;
  const log = deps.logger?.child({ module: 'work-set-monitor' });
  let snapshot: WorkSetSnapshot = {
    ok: false, error: 'not measured yet', checkedAt: null, backlog: 0, oldestAgeSeconds: 0, leased: 0, parkedByReason: {}, recentFailures: [], heldChanges: [],
  };

  const measure = async (): Promise<WorkSetSnapshot> => {
    try {
      const [backlogRow] = (await deps.query(BACKLOG(s), [])) as Array<{ backlog: unknown; oldest_age_s: unknown }>;
      const [leasedRow] = (await deps.query(LEASED(s), [])) as Array<{ leased: unknown }>;
      const parkedRows = (await deps.query(PARKED(s), [])) as Array<{ reason: string; n: unknown }>;
      const failureRows =
        o.recentFailures > 0
          ? ((await deps.query(FAILURES(s), [o.recentFailures])) as Array<{
              contract_id: unknown; last_error: string | null; attempts: unknown; parked_reason: string | null; age_s: unknown;
            }>)
          : [];
      const heldChanges = await listHeldChanges({ query: (sql, params) => deps.query(sql, params ?? []) }, options.syncSchema);
      snapshot = {
        ok: true,
        error: null,
        checkedAt: now(),
        backlog: num(backlogRow?.backlog),
        oldestAgeSeconds: Math.max(0, num(backlogRow?.oldest_age_s)),
        leased: num(leasedRow?.leased),
        parkedByReason: Object.fromEntries(parkedRows.map((r) => [r.reason, num(r.n)])),
        recentFailures: failureRows.map((r) => ({
          contractId: num(r.contract_id),
          error: maskText(r.last_error ?? '').slice(0, 500),
          attempts: num(r.attempts),
          parkedReason: r.parked_reason,
          ageSeconds: r.age_s === null ? null : Math.max(0, num(r.age_s)),
        })),
        heldChanges,
      };
    } catch (thrown) {
      const err = coerceError(thrown);
      log?.warn('work set poll failed', { error: err });
      snapshot = { ...snapshot, ok: false, error: maskText(err.message) };
    }
    const m = deps.metrics;
    if (m && snapshot.ok) {
      m.workBacklog.set(snapshot.backlog);
      m.workBacklogOldestAgeSeconds.set(snapshot.oldestAgeSeconds);
      m.workLeased.set(snapshot.leased);
      m.parkedContracts.reset();
      for (const [reason, n] of Object.entries(snapshot.parkedByReason)) m.parkedContracts.set({ reason }, n);
      m.heldChanges.set(snapshot.heldChanges.length);
      m.heldChangeDestructive.set(snapshot.heldChanges.reduce((n, c) => n + c.destructive, 0));
    }
    return snapshot;
  };

  const poller = createPoller(measure, { intervalMs: o.pollIntervalMs });
  return { start: () => poller.start(), stop: () => poller.stop(), poll: () => poller.poll(), snapshot: () => snapshot };
}

function num(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}
