import { sqlErrno } from '../handlers/work-set/sql-helpers';
import { coerceError } from '../lib/coerce-error';
import type { DecodedRecord, RawRecord } from './change-event';
import type { ConsumedRecord } from './create-change-consumer';
import { decodeChangeEvent, type DecodeOptions } from './decode-change-event';
import { toDeadLetter, type DeadLetterMessage } from './dead-letter';
import { isEnvelopeDecodeError } from './errors';
import { addToFanOutPlan, emptyFanOutPlan, isEmptyFanOutPlan, type FanOutPlan, type SkipReason } from './fan-out-plan';
import { iotRelevantContracts } from './iot-relevant-contracts';
import { MARK_PRIORITY } from './mark-priority';
import { resolveFanOut, type ContractMark, type Query } from './resolve-fan-out';

export interface MarkBatchDeps {
  /** Read-only queries for fan-out, at READ COMMITTED. */
  query: Query;
  /** Marks contracts in one statement (work set); must be durable when it resolves. */
  markContracts(marks: ContractMark[]): Promise<void>;
  /** Produces dead letters; must be durable (acks from all in-sync replicas) when it resolves. */
  deadLetter(messages: DeadLetterMessage[]): Promise<void>;
  /** Wakes the local reconcile slots. */
  nudge(): void;
  /**
   * When set, only contracts that have or had IoT lines are marked (iot-relevant-contracts.ts);
   * the work set in this schema tells which had. The worker sets it; replay and redrive do not.
   */
  iotOnly?: { syncSchema: string };
}

export interface MarkBatchResult {
  records: number;
  marked: number;
  /** Affected contracts left unmarked because they have no IoT line and never had one (with `iotOnly`). */
  withoutIot: number;
  deadLettered: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** Oldest `source.ts_ms` among relevant changes (end-to-end latency starts there). */
  oldestSourceTsMs: number | null;
  /** Newest heartbeat time seen, for connector liveness. */
  heartbeatTsMs: number | null;
}

/**
 * MariaDB errors that say a value does not fit its column (out of range, truncated, wrong value,
 * too long, NULL in a NOT NULL column): the record is at fault, not the database, so retrying
 * the batch can never succeed.
 */
const UNFIT_VALUE_ERRNOS: ReadonlySet<number> = new Set([1048, 1264, 1265, 1292, 1366, 1406]);

function isUnfitValueError(err: unknown): boolean {
  const errno = sqlErrno(err);
  return errno !== undefined && UNFIT_VALUE_ERRNOS.has(errno);
}

/**
 * Turns one batch of Kafka records into durable marks. The whole batch's affected contracts are
 * marked in one statement; undecodable records, and records whose values do not fit the work set,
 * go to the dead-letter topic, so no record can block its partition. When the batch statement
 * fails on a value that does not fit (a check at decode time missed it), the batch is marked
 * record by record and only the failing records are dead-lettered. Any other failure (database
 * down, deadlock) is thrown: the batch is fetched again. Only when this resolves may the caller
 * resolve the batch's offsets: offsets never run ahead of marks.
 */
export async function markBatch(records: readonly ConsumedRecord[], deps: MarkBatchDeps): Promise<MarkBatchResult> {
  const plan = emptyFanOutPlan();
  const deadLetters: DeadLetterMessage[] = [];
  const decoded: Array<{ raw: RawRecord; record: DecodedRecord }> = [];
  let heartbeatTsMs: number | null = null;
  for (const consumed of records) {
    if (!consumed.ok) {
      deadLetters.push(toDeadLetter(consumed.raw, consumed.error));
      continue;
    }
    const record = consumed.record;
    if (record.kind === 'heartbeat' && record.tsMs !== null) heartbeatTsMs = Math.max(heartbeatTsMs ?? 0, record.tsMs);
    addToFanOutPlan(plan, record);
    decoded.push({ raw: consumed.raw, record });
  }

  if (deadLetters.length > 0) await deps.deadLetter(deadLetters);

  let marked: number;
  let withoutIot: number;
  const unfit: DeadLetterMessage[] = [];
  try {
    ({ marked, withoutIot } = await markPlan(plan, deps));
  } catch (thrown) {
    if (!isUnfitValueError(thrown)) throw thrown;
    marked = 0;
    withoutIot = 0;
    for (const one of decoded) {
      const single = emptyFanOutPlan();
      addToFanOutPlan(single, one.record);
      try {
        const counts = await markPlan(single, deps);
        marked += counts.marked;
        withoutIot += counts.withoutIot;
      } catch (failed) {
        if (!isUnfitValueError(failed)) throw failed;
        const err = coerceError(failed);
        unfit.push(toDeadLetter(one.raw, { name: 'UnfitRecordError', reason: `the record's marks do not fit the work set: ${err.message}` }));
      }
    }
  }
  if (unfit.length > 0) await deps.deadLetter(unfit);
  if (marked > 0) deps.nudge();
  return {
    records: records.length,
    marked,
    withoutIot,
    deadLettered: deadLetters.length + unfit.length,
    skipped: Object.fromEntries(plan.skipped),
    oldestSourceTsMs: plan.oldestSourceTsMs,
    heartbeatTsMs,
  };
}

/** Resolves a plan's contracts and marks them (with `iotOnly`, those that have or had IoT); returns how many, and how many were left out. */
async function markPlan(plan: FanOutPlan, deps: MarkBatchDeps): Promise<{ marked: number; withoutIot: number }> {
  if (isEmptyFanOutPlan(plan)) return { marked: 0, withoutIot: 0 };
  let resolved = await resolveFanOut(deps.query, plan);
  let withoutIot = 0;
  if (deps.iotOnly && resolved.length > 0) {
    const relevant = await iotRelevantContracts(deps.query, deps.iotOnly.syncSchema, resolved.map((m) => m.contractId));
    withoutIot = resolved.length - relevant.size;
    resolved = resolved.filter((m) => relevant.has(m.contractId));
  }
  // One time per batch (its oldest change): an upper bound of each mark's own, within one fetch.
  const marks = resolved.map((m) => ({ ...m, sourceTsMs: m.priority > MARK_PRIORITY.snapshot ? plan.oldestChangeTsMs : null }));
  if (marks.length > 0) await deps.markContracts(marks);
  return { marked: marks.length, withoutIot };
}

/** Decodes raw records for markBatch (the change consumer already hands them decoded). */
export function decodeRecords(records: readonly RawRecord[], options: DecodeOptions = {}): ConsumedRecord[] {
  return records.map((raw) => {
    try {
      return { ok: true as const, raw, record: decodeChangeEvent(raw, options) };
    } catch (err) {
      if (!isEnvelopeDecodeError(err)) throw err;
      return { ok: false as const, raw, error: err };
    }
  });
}
