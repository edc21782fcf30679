/** What `/ready` judges, gathered by the worker's monitors. Times are ms since epoch. */
export interface ReadinessSnapshot {
  now: number;
  database: { ok: boolean; error?: string };
  kafka: { ok: boolean; error?: string };
  connector: {
    /** Connector state from Kafka Connect's REST API, `MISSING` when not registered, `UNREACHABLE` when Connect is down. */
    state: string;
    taskStates: string[];
    /** Last Debezium heartbeat (or change) consumed. */
    heartbeatAt: number | null;
  };
  /** Per partition: records behind and when its committed offset last moved (or it was caught up). */
  partitions: Array<{ topic: string; partition: number; lag: number; lastProgressAt: number }>;
  /** Breakers currently open, with the time they opened. */
  openBreakers: Array<{ name: string; since: number }>;
  configurationFault: { since: number; message: string } | null;
}

export interface ReadinessOptions {
  /** Partitions with lag and no progress for this long make the worker unready. @defaultValue 120000 */
  stallAfterMs: number;
  /** A breaker or configuration fault lasting longer than this makes the worker unready. @defaultValue 300000 */
  faultTooLongMs: number;
  /** No heartbeat for this long means the connector is not really streaming. @defaultValue 60000 */
  heartbeatMaxAgeMs: number;
}

export const DEFAULT_READINESS_OPTIONS = {
  stallAfterMs: 120_000,
  faultTooLongMs: 300_000,
  heartbeatMaxAgeMs: 60_000,
} satisfies ReadinessOptions;

export interface Readiness {
  ready: boolean;
  reasons: string[];
}

/**
 * A wedged pipeline must not look healthy: unready when a dependency is down, the connector or a
 * task is not RUNNING or its heartbeat is stale, a partition has lag with no progress, or a
 * breaker or configuration fault has lasted too long.
 */
export function evaluateReadiness(s: ReadinessSnapshot, options: ReadinessOptions = DEFAULT_READINESS_OPTIONS): Readiness {
  const reasons: string[] = [];
  const age = (t: number): number => Math.round((s.now - t) / 1000);
  if (!s.database.ok) reasons.push(`database unreachable${s.database.error ? `: ${s.database.error}` : ''}`);
  if (!s.kafka.ok) reasons.push(`kafka unreachable${s.kafka.error ? `: ${s.kafka.error}` : ''}`);
  if (s.connector.state !== 'RUNNING') reasons.push(`connector ${s.connector.state}`);
  else if (s.connector.taskStates.length === 0) reasons.push('connector has no task');
  s.connector.taskStates.forEach((state, i) => {
    if (state !== 'RUNNING') reasons.push(`connector task ${i} ${state}`);
  });
  if (s.connector.state === 'RUNNING') {
    const hb = s.connector.heartbeatAt;
    if (hb === null || s.now - hb > options.heartbeatMaxAgeMs) reasons.push(hb === null ? 'no connector heartbeat seen yet' : `connector heartbeat ${age(hb)} s old`);
  }
  for (const p of s.partitions) {
    if (p.lag > 0 && s.now - p.lastProgressAt > options.stallAfterMs) {
      reasons.push(`partition ${p.topic}[${p.partition}] stuck: ${p.lag} behind, no progress for ${age(p.lastProgressAt)} s`);
    }
  }
  for (const b of s.openBreakers) {
    if (s.now - b.since > options.faultTooLongMs) reasons.push(`breaker ${b.name} open for ${age(b.since)} s`);
  }
  const fault = s.configurationFault;
  if (fault && s.now - fault.since > options.faultTooLongMs) reasons.push(`configuration fault for ${age(fault.since)} s: ${fault.message}`);
  return { ready: reasons.length === 0, reasons };
}
