import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { fetchSourceLag, SOURCE_LAG_METRIC } from '../../../src/ops/source-lag';
import { cdcConfig, cdcDatabase } from '../../helpers/cdc-stack';
import { waitFor } from '../../helpers/wait-for';

const RULES = path.resolve(__dirname, '../../../docker/connect/jmx-exporter.yml');
const config = cdcConfig();
const exporter = config.connect.metricsUrl;

/** Metric names the rules file declares. */
function declaredNames(): string[] {
  const doc = parse(readFileSync(RULES, 'utf8')) as { rules: Array<{ name: string }> };
  return doc.rules.map((r) => r.name);
}

async function scrape(): Promise<string> {
  const res = await fetch(exporter, { signal: AbortSignal.timeout(5000) });
  expect(res.status).toBe(200);
  return res.text();
}

/** Kafka Connect of the local stack runs the Prometheus JMX exporter agent with docker/connect/jmx-exporter.yml. */
describe("Debezium's own metrics on Connect's JMX exporter", () => {
  it('exports the streaming metrics of the MariaDB connector, and only names the rules declare', async () => {
    const text = await scrape();
    const families = new Set([...text.matchAll(/^# TYPE (debezium_\S+) \S+$/gm)].map((m) => m[1]));
    const declared = declaredNames();
    const streaming = declared.filter((n) => n.startsWith('debezium_mariadb_streaming_') || n.startsWith('debezium_mariadb_queue_'));
    expect(streaming.length).toBeGreaterThanOrEqual(8);
    expect(streaming.filter((n) => !families.has(n))).toEqual([]);
    expect([...families].filter((n) => !declared.includes(n!))).toEqual([]);
    expect(text).toMatch(new RegExp(`^${SOURCE_LAG_METRIC}\\{server="${config.kafka.topicPrefix}"\\} `, 'm'));
    expect(text).toMatch(/^debezium_mariadb_streaming_connected\{server="[^"]+"\} 1\.0$/m);
  });

  it('measures the source lag of a change just written (what `status` and the status page show)', async () => {
    const db = await cdcDatabase();
    try {
      // A real change: the streaming metrics then describe a processed binlog event.
      await db.query("UPDATE cliente SET obs = CONCAT('jmx-', UNIX_TIMESTAMP()) WHERE id = (SELECT MIN(id) FROM cliente)");
    } finally {
      await db.end();
    }
    let source = await fetchSourceLag(exporter, config.kafka.topicPrefix, 5000);
    await waitFor(async () => {
      source = await fetchSourceLag(exporter, config.kafka.topicPrefix, 5000);
      return source.lagMs !== null && source.connected === true;
    }, { timeoutMs: 60_000, what: 'a source lag on the exporter' });
    expect(source).toMatchObject({ connected: true, detail: null });
    expect(source.lagMs).toBeGreaterThanOrEqual(0);
  });

  it('says why when the exporter does not answer', async () => {
    const source = await fetchSourceLag('http://127.0.0.1:9/metrics', 'ixc', 1000);
    expect(source).toMatchObject({ lagMs: null, connected: null });
    expect(source.detail).toMatch(/did not answer/);
  });
});
