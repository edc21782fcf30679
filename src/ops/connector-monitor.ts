import { coerceError } from '../lib/coerce-error';
import type { Logger } from '../lib/logger';
import { maskText } from '../lib/mask';
import { ConnectUnreachableError, OpsOptionError } from './errors';
import type { Metrics } from './metrics';
import { createPoller } from './poller';
import { fetchSourceLag, type SourceLag } from './source-lag';

/** Connector state as Kafka Connect reports it, or MISSING (404) / UNREACHABLE (no answer). */
type ConnectorHealthState = 'RUNNING' | 'PAUSED' | 'FAILED' | 'UNASSIGNED' | 'RESTARTING' | 'STOPPED' | 'MISSING' | 'UNREACHABLE' | string;

interface ConnectorTaskState {
  id: number;
  state: string;
  workerId: string | null;
  /** First line of the task's stack trace when it failed (masked). */
  trace: string | null;
}

export interface ConnectorSnapshot {
  name: string;
  state: ConnectorHealthState;
  tasks: ConnectorTaskState[];
  /** Why the state is MISSING/UNREACHABLE or the connector failed (masked, one line). */
  detail: string | null;
  /** When the last check finished (ms), null before the first. */
  checkedAt: number | null;
  /** Debezium's source lag from Connect's JMX exporter, when a metrics URL is configured. */
  source?: SourceLag;
}

interface ConnectorMonitorOptions {
  /** Kafka Connect REST base URL. */
  url: string;
  connectorName: string;
  /** Connect's JMX exporter (`CONNECT_METRICS_URL`) and the connector's `server` label (the topic prefix). */
  sourceMetrics?: { url: string; server: string };
  /** @defaultValue 10000 */
  pollIntervalMs?: number;
  /** @defaultValue 5000 */
  requestTimeoutMs?: number;
}

const DEFAULT_CONNECTOR_MONITOR_OPTIONS = {
  pollIntervalMs: 10_000,
  requestTimeoutMs: 5_000,
} satisfies Partial<Required<ConnectorMonitorOptions>>;

interface ConnectorMonitorDeps {
  metrics?: Metrics;
  logger?: Logger;
  now?: () => number;
}

export interface ConnectorMonitor {
  start(): void;
  stop(): Promise<void>;
  poll(): Promise<ConnectorSnapshot>;
  snapshot(): ConnectorSnapshot;
}

interface ConnectStatusBody {
  connector?: { state?: string; trace?: string };
  tasks?: Array<{ id?: number; state?: string; worker_id?: string; trace?: string }>;
}

/**
 * Watches `GET /connectors/<name>/status`. A connector that is gone or a Connect that is down is
 * a state of its own, never "zero lag and fine": a dead connector produces no records, so the
 * consumer looks caught up while nothing flows.
 */
export function createConnectorMonitor(deps: ConnectorMonitorDeps, options: ConnectorMonitorOptions): ConnectorMonitor {
  if (!options.url) throw new OpsOptionError('url', 'the Kafka Connect REST URL is required');
  if (!options.connectorName) throw new OpsOptionError('connectorName', 'the connector name is required');
  const o = { ...DEFAULT_CONNECTOR_MONITOR_OPTIONS, ...options };
  const now = deps.now ?? Date.now;
  const log = deps.logger?.child({ module: 'connector-monitor' });
  const base = o.url.replace(/\/+$/, '');
  let snapshot: ConnectorSnapshot = { name: o.connectorName, state: 'UNREACHABLE', tasks: [], detail: 'not checked yet', checkedAt: null };

  const check = async (): Promise<ConnectorSnapshot> => {
    const source = o.sourceMetrics ? fetchSourceLag(o.sourceMetrics.url, o.sourceMetrics.server, o.requestTimeoutMs) : undefined;
    try {
      snapshot = { ...(await fetchStatus(base, o.connectorName, o.requestTimeoutMs)), checkedAt: now() };
    } catch (thrown) {
      const err = coerceError(thrown);
      log?.warn('connector status unavailable', { error: err });
      snapshot = { name: o.connectorName, state: 'UNREACHABLE', tasks: [], detail: maskText(err.message), checkedAt: now() };
    }
    if (source) snapshot = { ...snapshot, source: await source };
    const m = deps.metrics;
    if (m) {
      m.connectorRunning.set(snapshot.state === 'RUNNING' ? 1 : 0);
      m.connectorTasksRunning.set(snapshot.tasks.filter((t) => t.state === 'RUNNING').length);
    }
    return snapshot;
  };

  const poller = createPoller(check, { intervalMs: o.pollIntervalMs });
  return { start: () => poller.start(), stop: () => poller.stop(), poll: () => poller.poll(), snapshot: () => snapshot };
}

/** One status request; MISSING on 404, throws ConnectUnreachableError when Connect does not answer sensibly. */
export async function fetchStatus(baseUrl: string, name: string, timeoutMs: number): Promise<Omit<ConnectorSnapshot, 'checkedAt'>> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/connectors/${encodeURIComponent(name)}/status`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (thrown) {
    const err = coerceError(thrown);
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new ConnectUnreachableError(`Kafka Connect at ${baseUrl} did not answer (${err.message}${cause})`, { cause: err });
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return { name, state: 'MISSING', tasks: [], detail: `connector ${name} is not registered in Kafka Connect` };
  }
  if (!response.ok) {
    const body = (await response.text()).slice(0, 300);
    throw new ConnectUnreachableError(`Kafka Connect answered ${response.status}: ${body}`);
  }
  const body = (await response.json()) as ConnectStatusBody;
  const tasks = (body.tasks ?? []).map((t, i) => ({
    id: t.id ?? i,
    state: t.state ?? 'UNKNOWN',
    workerId: t.worker_id ?? null,
    trace: t.trace ? maskText(firstLine(t.trace)) : null,
  }));
  const state = body.connector?.state ?? 'UNKNOWN';
  const failed = tasks.find((t) => t.trace !== null);
  const detail = body.connector?.trace ? maskText(firstLine(body.connector.trace)) : failed ? `task ${failed.id}: ${failed.trace}` : null;
  return { name, state, tasks, detail };
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 500);
}
