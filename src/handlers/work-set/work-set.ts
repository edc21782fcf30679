import type { DataSource, EntityManager } from 'typeorm';
import { backoffDelayMs, DEFAULT_BACKOFF_OPTIONS } from '../../lib/backoff';
import { claimContracts, type Claim } from './work-set-claim';
import { recordFailure, type FailureDisposition } from './work-set-failure';
import { releaseClaim, renewLease, type ContractStateColumns } from './work-set-lease';
import {
  beatHeart,
  clearHeartbeat,
  confirmDestructive,
  liveWorkers,
  retryParked,
  sweepExpiredLeases,
  unparkContracts,
} from './work-set-maintenance';
import { markContracts, MARK_PRIORITY, type ContractMark, type MarkOptions } from './work-set-mark';
import { markVerifyResync, takePeriodicRun } from './work-set-resync';

export interface WorkSetOptions {
  syncSchema: string;
  /** Lease length; at least twice the reconcile budget. @defaultValue 120000 */
  leaseMs?: number;
  /** One priority point per this much waiting. @defaultValue 10000 */
  agingStepMs?: number;
  /** Cap on the aging bonus (points). @defaultValue 1000 */
  maxAgingBoost?: number;
  /** First backoff of a transient failure. @defaultValue 5000 */
  backoffBaseMs?: number;
  /** Backoff cap. @defaultValue 900000 */
  backoffMaxMs?: number;
}

export const DEFAULT_WORK_SET_OPTIONS = {
  leaseMs: 120_000,
  agingStepMs: 10_000,
  maxAgingBoost: 1000,
  backoffBaseMs: DEFAULT_BACKOFF_OPTIONS.baseMs,
  backoffMaxMs: DEFAULT_BACKOFF_OPTIONS.maxMs,
} satisfies Required<Omit<WorkSetOptions, 'syncSchema'>>;

/** The durable work set (DESIGN.md principle 2) over `contract_sync`. */
export interface WorkSet {
  readonly syncSchema: string;
  readonly leaseMs: number;
  mark(marks: readonly ContractMark[], options?: MarkOptions): Promise<number>;
  claim(owner: string, limit: number): Promise<Claim[]>;
  renew(claim: Claim): Promise<boolean>;
  /**
   * The first statement of the write-back transaction: releases while the lease is live (with the
   * contract's state when it changed) and holds the sync row's lock until COMMIT. Throws
   * LeaseLostError when the lease was lost; a newer generation keeps the mark.
   */
  release(manager: EntityManager, claim: Claim, outcome: string, planJson: string | null, state?: ContractStateColumns): Promise<{ newerGeneration: boolean }>;
  fail(claim: Claim, disposition: FailureDisposition): Promise<boolean>;
  backoffMs(attempts: number): number;
  sweep(): Promise<number>;
  retryParked(parkedForMs: number): Promise<number>;
  unpark(ids: readonly number[] | 'all'): Promise<number>;
  /** Flags blast-radius parks as confirmed; a following mark un-parks them. */
  confirm(ids: readonly number[] | 'all'): Promise<number>;
  heartbeat(owner: string): Promise<void>;
  clearHeartbeat(owner: string): Promise<void>;
  liveWorkers(freshMs: number, self?: string): Promise<string[]>;
  /** The daily verify resync, once per interval across instances; returns the contracts marked (0 when not due). */
  verifyResyncIfDue(intervalMs: number, owner: string): Promise<number>;
}

export function createWorkSet(dataSource: DataSource, options: WorkSetOptions): WorkSet {
  const opts = { ...DEFAULT_WORK_SET_OPTIONS, ...options };
  if (!(opts.leaseMs > 0)) throw new Error('WorkSetOptions.leaseMs must be positive');
  const s = opts.syncSchema;
  return {
    syncSchema: s,
    leaseMs: opts.leaseMs,
    mark: (marks, markOptions) => markContracts(dataSource, s, marks, markOptions),
    claim: (owner, limit) =>
      claimContracts(dataSource, s, { owner, limit, leaseMs: opts.leaseMs, agingStepMs: opts.agingStepMs, maxAgingBoost: opts.maxAgingBoost }),
    renew: (claim) => renewLease(dataSource, s, claim, opts.leaseMs),
    release: (manager, claim, outcome, planJson, state) => releaseClaim(manager, s, claim, outcome, planJson, state),
    fail: (claim, disposition) => recordFailure(dataSource, s, claim, disposition),
    backoffMs: (attempts) => backoffDelayMs(attempts, { baseMs: opts.backoffBaseMs, maxMs: opts.backoffMaxMs }),
    sweep: () => sweepExpiredLeases(dataSource, s),
    retryParked: (parkedForMs) => retryParked(dataSource, s, MARK_PRIORITY.parkedRetry, parkedForMs),
    unpark: (ids) => unparkContracts(dataSource, s, ids, MARK_PRIORITY.operator),
    confirm: (ids) => confirmDestructive(dataSource, s, ids),
    heartbeat: (owner) => beatHeart(dataSource, s, owner),
    clearHeartbeat: (owner) => clearHeartbeat(dataSource, s, owner),
    liveWorkers: (freshMs, self) => liveWorkers(dataSource, s, freshMs, self),
    verifyResyncIfDue: async (intervalMs, owner) =>
      (await takePeriodicRun(dataSource, s, 'verify-resync', intervalMs, owner)) ? markVerifyResync(dataSource, s, MARK_PRIORITY.verifyResync) : 0,
  };
}
