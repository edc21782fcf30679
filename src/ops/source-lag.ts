import { coerceError } from '../lib/coerce-error';
import { maskText } from '../lib/mask';

/** Metric names of docker/connect/jmx-exporter.yml this module reads. */
export const SOURCE_LAG_METRIC = 'debezium_mariadb_streaming_milliseconds_behind_source';
const CONNECTED_METRIC = 'debezium_mariadb_streaming_connected';
const SNAPSHOT_RUNNING_METRIC = 'debezium_mariadb_snapshot_running';

/**
 * Debezium's own view of the source, read from Kafka Connect's JMX exporter: how far behind the
 * binlog the connector is (MilliSecondsBehindSource), whether it is connected and whether a
 * snapshot runs. Null values when the exporter does not answer or has no such series yet.
 */
export interface SourceLag {
  lagMs: number | null;
  connected: boolean | null;
  snapshotRunning: boolean | null;
  /** Why the values are unknown (exporter unreachable, connector not streaming yet). */
  detail: string | null;
}

/** The value of `name{server="<server>"}` in a Prometheus text exposition, null when absent. */
function sampleValue(text: string, name: string, server: string): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labels = /^[^{\s]+\{([^}]*)\}/.exec(line)?.[1] ?? '';
    if (!labels.split(',').some((l) => l.trim() === `server="${server}"`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    return Number.isFinite(value) ? value : null;
  }
  return null;
}

function parseSourceLag(text: string, server: string): SourceLag {
  const lag = sampleValue(text, SOURCE_LAG_METRIC, server);
  const connected = sampleValue(text, CONNECTED_METRIC, server);
  const snapshot = sampleValue(text, SNAPSHOT_RUNNING_METRIC, server);
  return {
    // Debezium reports -1 until the first binlog event has been processed.
    lagMs: lag === null || lag < 0 ? null : lag,
    connected: connected === null ? null : connected === 1,
    snapshotRunning: snapshot === null ? null : snapshot === 1,
    detail: lag === null ? `no ${SOURCE_LAG_METRIC}{server="${server}"} on the exporter (connector not streaming yet?)` : lag < 0 ? 'no binlog event processed yet' : null,
  };
}

/** One scrape of the exporter; never throws (an unreachable exporter is a state, with a reason). */
export async function fetchSourceLag(metricsUrl: string, server: string, timeoutMs: number): Promise<SourceLag> {
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      return { lagMs: null, connected: null, snapshotRunning: null, detail: `Connect's JMX exporter at ${metricsUrl} answered ${response.status}` };
    }
    return parseSourceLag(await response.text(), server);
  } catch (thrown) {
    const err = coerceError(thrown);
    return { lagMs: null, connected: null, snapshotRunning: null, detail: maskText(`Connect's JMX exporter at ${metricsUrl} did not answer (${err.message})`) };
  }
}
