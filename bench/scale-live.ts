import type mysql from 'mysql2/promise';
import { percentile } from './stats';

interface Change {
  contract: number;
  expected: 'active' | 'suspended';
  committedAt: number;
  latencyMs?: number;
}

export interface LiveLoadResult {
  changes: number;
  achievedRate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  missed: number;
  /** The same figures for the changes committed while the billing run was still converging. */
  during: WindowFigures;
  /**
   * The changes committed after the billing run was all in Kafka (`tailFrom`) until it converged:
   * they wait for the worker only, not for the binlog behind the billing transaction.
   */
  tail: WindowFigures;
  /** Per second from `from` (negative: before it): changes committed in it, their p50 and max latency. */
  bySecond: Array<{ second: number; changes: number; p50Ms: number; maxMs: number }>;
  /** Contract → its last status_internet. */
  finalStatus: Map<number, string>;
}

/** Changes committed in a time window, and their latencies. */
export interface WindowFigures {
  changes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LiveLoad {
  /** Stops committing (at the next tick), waits for the outstanding write-backs (≤ 30 s), and measures. */
  stop(during: { from: number; to: number; tailFrom: number | null }): Promise<LiveLoadResult>;
  committed(): number;
}

/**
 * A steady `rate` of status_internet changes (A ↔ CM) on provisioned contracts, committed one by
 * one, each timed from its COMMIT to the write-back of the reconcile that applied it
 * (contract_sync.subscription_status and last_reconciled_at), as bench/live.ts measures.
 */
export function startLiveLoad(conn: mysql.Connection, syncSchema: string, ids: readonly number[], rate: number): LiveLoad {
  const changes: Change[] = [];
  const pending = new Map<number, Change>();
  const current = new Map(ids.map((id) => [id, 'active' as Change['expected']]));
  const finalStatus = new Map<number, string>();
  let committing = true;
  let lastCommit = Date.now();
  const state = async () => {
    const [rows] = await conn.query(
      `SELECT contract_id AS id, subscription_status AS status, UNIX_TIMESTAMP(last_reconciled_at) * 1000 AS t FROM \`${syncSchema}\`.contract_sync WHERE contract_id IN (?)`,
      [ids],
    );
    return new Map((rows as Array<{ id: number; status: string | null; t: string | null }>).map((r) => [Number(r.id), r]));
  };
  const committer = (async () => {
    const interval = 1000 / rate;
    const start = Date.now();
    for (let j = 0; committing; j += 1) {
      const due = start + j * interval;
      if (due > Date.now()) await sleep(due - Date.now());
      const id = ids[j % ids.length]!;
      const expected = current.get(id) === 'active' ? 'suspended' : 'active';
      current.set(id, expected);
      const status = expected === 'active' ? 'A' : 'CM';
      await conn.query('UPDATE cliente_contrato SET status_internet = ? WHERE id = ?', [status, id]);
      finalStatus.set(id, status);
      lastCommit = Date.now();
      const change: Change = { contract: id, expected, committedAt: lastCommit };
      changes.push(change);
      pending.set(id, change);
    }
  })();
  let polling = true;
  const poller = (async () => {
    while (polling || pending.size > 0) {
      const s = await state();
      for (const [id, change] of pending) {
        const row = s.get(id);
        const t = row?.t === null || row?.t === undefined ? NaN : Number(row.t);
        if (row?.status === change.expected && t >= change.committedAt) {
          change.latencyMs = t - change.committedAt;
          pending.delete(id);
        }
      }
      if (!polling && Date.now() - lastCommit > 30_000) break;
      await sleep(20);
    }
  })();
  return {
    committed: () => changes.length,
    async stop(during) {
      committing = false;
      await committer;
      polling = false;
      await poller;
      const latencies = changes.map((c) => c.latencyMs).filter((x): x is number => x !== undefined);
      const figures = (from: number, to: number): WindowFigures => {
        const within = changes.filter((c) => c.committedAt >= from && c.committedAt <= to);
        const measured = within.map((c) => c.latencyMs).filter((x): x is number => x !== undefined);
        return { changes: within.length, p50Ms: percentile(measured, 50), p99Ms: percentile(measured, 99), maxMs: measured.reduce((a, b) => Math.max(a, b), 0) };
      };
      const seconds = new Set(changes.map((c) => Math.floor((c.committedAt - during.from) / 1000)));
      return {
        changes: changes.length,
        achievedRate: (changes.length - 1) / ((lastCommit - (changes[0]?.committedAt ?? lastCommit)) / 1000),
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies.reduce((a, b) => Math.max(a, b), 0),
        missed: changes.length - latencies.length,
        during: figures(during.from, during.to),
        tail: during.tailFrom === null ? { changes: 0, p50Ms: NaN, p99Ms: NaN, maxMs: 0 } : figures(during.tailFrom, during.to),
        bySecond: [...seconds].sort((a, b) => a - b).map((second) => {
          const { changes: n, p50Ms, maxMs } = figures(during.from + second * 1000, during.from + second * 1000 + 999);
          return { second, changes: n, p50Ms, maxMs };
        }),
        finalStatus,
      };
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
