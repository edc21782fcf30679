import type { RawRecord } from './change-event';
import type { ConsumedRecord } from './create-change-consumer';
import { decodeChangeEvent, type DecodeOptions } from './decode-change-event';
import { toDeadLetter, type DeadLetterMessage } from './dead-letter';
import { isEnvelopeDecodeError } from './errors';
import { addToFanOutPlan, emptyFanOutPlan, isEmptyFanOutPlan, type SkipReason } from './fan-out-plan';
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
}

export interface MarkBatchResult {
  records: number;
  marked: number;
  deadLettered: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** Oldest `source.ts_ms` among relevant changes (end-to-end latency starts there). */
  oldestSourceTsMs: number | null;
  /** Newest heartbeat time seen, for connector liveness. */
  heartbeatTsMs: number | null;
}

/**
 * Turns one batch of Kafka records into durable marks. Undecodable records go to the dead-letter
 * topic first; then the whole batch's affected contracts are marked in one statement. Only when
 * this resolves may the caller resolve the batch's offsets: offsets never run ahead of marks.
 */
export async function markBatch(records: readonly ConsumedRecord[], deps: MarkBatchDeps): Promise<MarkBatchResult> {
  const plan = emptyFanOutPlan();
  const deadLetters: DeadLetterMessage[] = [];
  let heartbeatTsMs: number | null = null;
  for (const consumed of records) {
    if (!consumed.ok) {
      deadLetters.push(toDeadLetter(consumed.raw, consumed.error));
      continue;
    }
    const decoded = consumed.record;
    if (decoded.kind === 'heartbeat' && decoded.tsMs !== null) heartbeatTsMs = Math.max(heartbeatTsMs ?? 0, decoded.tsMs);
    addToFanOutPlan(plan, decoded);
  }
  if (deadLetters.length > 0) await deps.deadLetter(deadLetters);

  let marked = 0;
  if (!isEmptyFanOutPlan(plan)) {
    const resolved = await resolveFanOut(deps.query, plan);
    // One time per batch (its oldest change): an upper bound of each mark's own, within one fetch.
    const marks = resolved.map((m) => ({ ...m, sourceTsMs: m.priority > MARK_PRIORITY.snapshot ? plan.oldestChangeTsMs : null }));
    if (marks.length > 0) {
      await deps.markContracts(marks);
      marked = marks.length;
      deps.nudge();
    }
  }
  return {
    records: records.length,
    marked,
    deadLettered: deadLetters.length,
    skipped: Object.fromEntries(plan.skipped),
    oldestSourceTsMs: plan.oldestSourceTsMs,
    heartbeatTsMs,
  };
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
