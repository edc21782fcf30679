import { findOrphans, formatOrphan } from './orphans/find-orphans';
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import { coerceError } from '../lib/coerce-error';
import type { Logger } from '../lib/logger';
import { classifyFailure } from './classify-failure';
import { isLeaseLost, ReconcileAbortedError } from './errors';
import { createReconcileEvents, type ReconcileEvents } from './reconcile-events';
import { loadClaimed, reconcileContract, type ReconcileDeps, type ReconcileOptions } from './reconcile-contract';
import type { PlanInputs } from './load/load-plan-inputs';
import { refreshPendingLicencesIfDue } from './pending-licences';
import type { Claim } from './work-set/work-set-claim';
import { createWakeableSleep } from './wakeable-sleep';

export interface ReconcileSlotsOptions {
  /** Lease owner name; unique per process. @defaultValue `<hostname>:<pid>:<random>` */
  owner?: string;
  /** Identical slots. @defaultValue 4 */
  concurrency?: number;
  /** Sleep after an empty claim. @defaultValue 1000 */
  pollIntervalMs?: number;
  /** Time budget of one reconcile; it is aborted past it. @defaultValue 60000 */
  budgetMs?: number;
  /** Wait for in-flight reconciles at stop before aborting them. @defaultValue 30000 */
  shutdownTimeoutMs?: number;
  /** Back-off after a failed claim (database trouble). @defaultValue 5000 */
  claimErrorBackoffMs?: number;
  /** Heartbeat, lease sweep and parked retry cadence (jittered ±20 %). @defaultValue 30000 */
  maintenanceIntervalMs?: number;
  /** Parked rows are retried this long after parking. @defaultValue 3600000 */
  parkedRetryIntervalMs?: number;
  /** Reschedule delay after a breaker-open error. @defaultValue 15000 */
  breakerDelayMs?: number;
  /** Pause of every slot after a configuration fault. @defaultValue 60000 */
  configurationPauseMs?: number;
  /** Daily low-priority verify resync of provisioned contracts (once per interval across instances); 0 disables. @defaultValue 86400000 */
  verifyResyncIntervalMs?: number;
  /**
   * Re-read of pending licences on the platform, so a device's activation reaches IXC's tab in
   * minutes (once per interval across instances); 0 disables. @defaultValue 60000
   */
  pendingLicenceRefreshIntervalMs?: number;
  /** Pending licences read per interval, the one read longest ago first. @defaultValue 100 */
  pendingLicenceRefreshBatch?: number;
  /** Publish a worker heartbeat (the CLI's temporary slots do not, so other CLIs never wait on them). @defaultValue true */
  heartbeat?: boolean;
  /**
   * Slots that keep claiming while `catchingUp()` says a burst is still being consumed; the others
   * wait, so the burst's marks coalesce into one reconcile per contract and the consumer keeps the
   * CPU. @defaultValue 1
   */
  catchUpConcurrency?: number;
  /** Aborting it stops the slots (the one AbortController of `cli start`). */
  signal?: AbortSignal;
  reconcile: ReconcileOptions;
}

export const DEFAULT_RECONCILE_SLOTS_OPTIONS = {
  concurrency: 4,
  pollIntervalMs: 1000,
  budgetMs: 60_000,
  shutdownTimeoutMs: 30_000,
  claimErrorBackoffMs: 5000,
  maintenanceIntervalMs: 30_000,
  parkedRetryIntervalMs: 3_600_000,
  breakerDelayMs: 15_000,
  configurationPauseMs: 60_000,
  heartbeat: true,
  verifyResyncIntervalMs: 86_400_000,
  pendingLicenceRefreshIntervalMs: 60_000,
  pendingLicenceRefreshBatch: 100,
  catchUpConcurrency: 1,
} satisfies Required<Omit<ReconcileSlotsOptions, 'owner' | 'signal' | 'reconcile'>>;

export interface ReconcileSlots {
  readonly owner: string;
  readonly events: ReconcileEvents;
  start(): void;
  /** Wakes idle slots (the consumer calls it after marking; MariaDB has no LISTEN/NOTIFY). */
  nudge(): void;
  /** Idempotent and single-flight: stop claiming, drain up to shutdownTimeoutMs, abort the rest, release. */
  stop(): Promise<void>;
  /** Reconciles in flight. */
  inFlight(): number;
}

export function defaultOwner(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * N identical slots, each looping claim → reconcile → release (STYLE rule 11). A reconcile runs
 * under its own AbortController: the budget, a failed lease renewal (at half the lease) or a
 * forced shutdown abort it. Every outcome goes back to the work set; the lease is always released
 * unless it was already lost.
 */
export interface ReconcileSlotsDeps extends ReconcileDeps {
  logger?: Logger;
  /** Runs after every reconcile, whatever its outcome (e.g. the API audit's `flush`); errors are logged. */
  onReconcileEnd?: () => Promise<unknown>;
  /** True while the change consumer is far behind (a burst); see `catchUpConcurrency`. */
  catchingUp?: () => boolean;
}

export function createReconcileSlots(deps: ReconcileSlotsDeps, options: ReconcileSlotsOptions): ReconcileSlots {
  const opts = { ...DEFAULT_RECONCILE_SLOTS_OPTIONS, ...options };
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) throw new Error('ReconcileSlotsOptions.concurrency must be a positive integer');
  const owner = options.owner ?? defaultOwner();
  const logger = deps.logger?.child({ module: 'reconcile', owner });
  const events = createReconcileEvents((err) => logger?.warn('event listener failed', { error: coerceError(err) }));
  const stopping = new AbortController();
  const forced = new AbortController();
  // Every slot listens on both while it sleeps or reconciles: more than Node's default of 10 is
  // expected, not a leak (without this, RECONCILE_CONCURRENCY above 10 printed a leak warning).
  setMaxListeners(opts.concurrency + 10, stopping.signal, forced.signal);
  const sleep = createWakeableSleep(stopping.signal);
  const loops: Array<Promise<void>> = [];
  let inFlight = 0;
  let pausedUntil = 0;
  let stopPromise: Promise<void> | undefined;

  /** A claimed contract and the batched read of the group it was claimed with (a rejection fails it alone). */
  interface ClaimedWork {
    claim: Claim;
    inputs: Promise<Map<number, PlanInputs>>;
  }
  type Waiter = { resolve: (work: ClaimedWork | undefined) => void; reject: (err: unknown) => void };
  let waiting: Waiter[] = [];
  let claiming = false;

  /**
   * Slots asking while a claim is in flight share the next one, as a group commit: one claim
   * transaction and one batched read of plan inputs for the whole group, never more rows than
   * slots asking. Measured (drain, back to back): one claim and one read per slot took the drain
   * from 39.9 s to 76.4 s and the worker's CPU from 30.3 s to 47.6 s.
   */
  function nextClaim(): Promise<ClaimedWork | undefined> {
    return new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      if (!claiming) void claimRounds();
    });
  }

  async function claimRounds(): Promise<void> {
    claiming = true;
    try {
      while (waiting.length > 0) {
        const group = waiting;
        waiting = [];
        try {
          const taken = await deps.workSet.claim(owner, group.length);
          const inputs = taken.length > 0 ? loadClaimed(deps, taken, opts.reconcile) : Promise.resolve(new Map<number, PlanInputs>());
          // Each reconcile awaits it; a failed read must not also surface as an unhandled rejection.
          inputs.catch(() => undefined);
          group.forEach((w, i) => {
            const claim = taken[i];
            w.resolve(claim ? { claim, inputs } : undefined);
          });
        } catch (thrown) {
          group.forEach((w) => w.reject(thrown));
        }
      }
    } finally {
      claiming = false;
    }
  }

  async function runOne({ claim, inputs }: ClaimedWork): Promise<void> {
    const started = Date.now();
    const controller = new AbortController();
    const abort = (reason: string): void => controller.abort(new ReconcileAbortedError(reason));
    const onForced = (): void => abort('shutdown');
    forced.signal.addEventListener('abort', onForced);
    const budget = setTimeout(() => abort('time budget exhausted'), opts.budgetMs);
    const renew = setInterval(() => {
      deps.workSet.renew(claim).then(
        (ok) => ok || abort('lease renewal failed'),
        () => abort('lease renewal failed'),
      );
    }, Math.max(50, Math.floor(deps.workSet.leaseMs / 2)));
    inFlight += 1;
    const log = logger?.child({ contractId: claim.contractId });
    try {
      const result = await reconcileContract(deps, claim, opts.reconcile, controller.signal, inputs);
      if (result.plan.park) {
        await deps.workSet.fail(claim, { kind: 'park', reason: result.plan.park.reason, detail: result.plan.park.detail });
        log?.warn('reconcile parked', { outcome: 'parked', reason: result.plan.park.reason });
        events.emit('reconcile:parked', { contractId: claim.contractId, reason: result.plan.park.reason, detail: result.plan.park.detail });
        return;
      }
      const durationMs = Date.now() - started;
      log?.info('reconcile done', { outcome: result.outcome, actions: result.plan.actions.length, durationMs, target: result.plan.target });
      if (result.plan.warnings.length > 0) log?.warn('reconcile warnings', { warnings: result.plan.warnings });
      events.emit('reconcile:success', {
        contractId: claim.contractId,
        outcome: result.outcome,
        actions: result.plan.actions.length,
        durationMs,
        newerGeneration: result.newerGeneration,
        warnings: result.plan.warnings,
        sourceTsMs: claim.sourceTsMs,
      });
    } catch (thrown) {
      const err = controller.signal.aborted && !isLeaseLost(thrown) ? coerceError(controller.signal.reason) : coerceError(thrown);
      if (isLeaseLost(err)) {
        log?.warn('lease lost; nothing written back', { error: err });
        events.emit('lease:lost', { contractId: claim.contractId, error: err });
        return;
      }
      const { disposition, pauseAll, waiting } = classifyFailure(err, claim.attempts, {
        backoffMs: (n) => deps.workSet.backoffMs(n),
        breakerDelayMs: opts.breakerDelayMs,
        configurationPauseMs: opts.configurationPauseMs,
      });
      try {
        await deps.workSet.fail(claim, disposition);
      } catch (failErr) {
        log?.error('could not record failure; the lease will expire', { error: coerceError(failErr) });
      }
      if (pauseAll) {
        pausedUntil = Date.now() + opts.configurationPauseMs;
        events.emit('config:fault', { error: err, pauseMs: opts.configurationPauseMs });
      }
      const durationMs = Date.now() - started;
      if (disposition.kind === 'park') {
        log?.warn('reconcile parked', { outcome: 'parked', reason: disposition.reason });
        events.emit('reconcile:parked', { contractId: claim.contractId, reason: disposition.reason, detail: disposition.detail });
      } else if (waiting) {
        log?.info('reconcile waiting for the blast-radius guard', { outcome: disposition.kind, reason: disposition.error });
      } else {
        log?.warn('reconcile failed', { outcome: disposition.kind, attempt: claim.attempts + 1, durationMs, error: err });
      }
      events.emit('reconcile:failure', { contractId: claim.contractId, error: err, disposition: disposition.kind, durationMs });
    } finally {
      inFlight -= 1;
      clearTimeout(budget);
      clearInterval(renew);
      forced.signal.removeEventListener('abort', onForced);
      if (deps.onReconcileEnd) {
        await deps.onReconcileEnd().catch((err: unknown) => log?.warn('after-reconcile hook failed', { error: coerceError(err) }));
      }
    }
  }

  async function slotLoop(slot: number): Promise<void> {
    while (!stopping.signal.aborted) {
      const pause = pausedUntil - Date.now();
      if (pause > 0) {
        await sleep(pause);
        continue;
      }
      if (slot >= opts.catchUpConcurrency && deps.catchingUp?.() === true) {
        await sleep(opts.pollIntervalMs);
        continue;
      }
      let work: ClaimedWork | undefined;
      try {
        work = await nextClaim();
      } catch (thrown) {
        events.emit('claim:error', { slot, error: coerceError(thrown) });
        await sleep(opts.claimErrorBackoffMs);
        continue;
      }
      if (work === undefined) {
        events.emit('claim:empty', { slot });
        await sleep(opts.pollIntervalMs);
        continue;
      }
      await runOne(work);
    }
  }

  /** With the daily resync: orphans are listed (log, metric), never cancelled without an operator. */
  async function scanOrphans(): Promise<void> {
    const orphans = await findOrphans(deps.dataSource, deps.platform, { tenantId: opts.reconcile.tenantId, syncSchema: deps.workSet.syncSchema });
    for (const o of orphans) logger?.warn(formatOrphan(o), { contractId: o.contractId });
    if (orphans.length > 0) logger?.warn('orphans found; `status --orphans` lists them, `reconcile --orphans --confirm` cancels them', { orphans: orphans.length });
    events.emit('orphans:found', { orphans });
  }

  async function maintenanceLoop(): Promise<void> {
    while (!stopping.signal.aborted) {
      try {
        if (opts.heartbeat) await deps.workSet.heartbeat(owner);
        await deps.workSet.sweep();
        await deps.workSet.retryParked(opts.parkedRetryIntervalMs);
        if (opts.verifyResyncIntervalMs > 0) {
          const marked = await deps.workSet.verifyResyncIfDue(opts.verifyResyncIntervalMs, owner);
          if (marked > 0) {
            logger?.info('verify resync marked', { marked });
            await scanOrphans();
          }
        }
      } catch (thrown) {
        events.emit('maintenance:error', { error: coerceError(thrown) });
      }
      await sleep(opts.maintenanceIntervalMs * (0.8 + 0.4 * Math.random()), { wakeOnNudge: false });
    }
  }

  /** Its own loop: a slow platform read never delays the lease sweep or the heartbeat. */
  async function pendingRefreshLoop(): Promise<void> {
    const intervalMs = opts.pendingLicenceRefreshIntervalMs;
    while (!stopping.signal.aborted) {
      try {
        const result = await refreshPendingLicencesIfDue(deps, { intervalMs, limit: opts.pendingLicenceRefreshBatch, owner, signal: stopping.signal });
        if (result && result.marked > 0) logger?.info('pending licences changed on the platform', { read: result.read, marked: result.marked });
      } catch (thrown) {
        events.emit('maintenance:error', { error: coerceError(thrown) });
      }
      await sleep(Math.min(intervalMs, opts.maintenanceIntervalMs) * (0.8 + 0.4 * Math.random()), { wakeOnNudge: false });
    }
  }

  const slots: ReconcileSlots = {
    owner,
    events,
    start() {
      if (loops.length > 0 || stopping.signal.aborted) return;
      loops.push(maintenanceLoop());
      if (opts.pendingLicenceRefreshIntervalMs > 0) loops.push(pendingRefreshLoop());
      for (let i = 0; i < opts.concurrency; i += 1) loops.push(slotLoop(i));
      if (options.signal?.aborted) void slots.stop();
      else options.signal?.addEventListener('abort', () => void slots.stop(), { once: true });
    },
    nudge: () => sleep.wake(),
    inFlight: () => inFlight,
    stop() {
      stopPromise ??= (async () => {
        stopping.abort();
        const drained = Promise.all(loops);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), opts.shutdownTimeoutMs);
        });
        if ((await Promise.race([drained, timedOut])) === 'timeout') forced.abort();
        await drained;
        clearTimeout(timer);
        try {
          if (opts.heartbeat) await deps.workSet.clearHeartbeat(owner);
        } catch (thrown) {
          logger?.warn('could not clear heartbeat', { error: coerceError(thrown) });
        }
        events.emit('slots:stopped', {});
      })();
      return stopPromise;
    },
  };
  return slots;
}
