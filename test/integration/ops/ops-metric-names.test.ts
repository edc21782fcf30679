import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import type { ConnectorMonitor } from '../../../src/ops/connector-monitor';
import type { LagMonitor } from '../../../src/ops/lag-monitor';
import { createMetrics } from '../../../src/ops/metrics';
import { createOpsMonitor } from '../../../src/ops/ops-monitor';
import { createOpsServer, type OpsServer } from '../../../src/ops/ops-server';
import type { WorkSetMonitor } from '../../../src/ops/work-set-monitor';

const ROOT = path.resolve(__dirname, '../../..');
const DOCKER = path.join(ROOT, 'docker');
const PROJECT_METRIC = /\bixc_iot_sync_[a-z0-9_]+\b/g;
/** Series Prometheus itself synthesises for every scrape target. */
const PROMETHEUS_SYNTHETIC = new Set(['up']);

interface Rule { alert: string; expr: string; annotations?: Record<string, string> }

/**
 * Names Kafka Connect's JMX exporter serves: the `name` of each rule in docker/connect/jmx-exporter.yml
 * (test/integration/cdc/connect-jmx-exporter.test.ts scrapes a live Connect and finds them).
 */
function jmxExporterNames(): Set<string> {
  const doc = parse(readFileSync(path.join(DOCKER, 'connect/jmx-exporter.yml'), 'utf8')) as { rules: Array<{ name: string }> };
  return new Set(doc.rules.map((r) => r.name));
}

interface Dashboard {
  templating: { list: Array<{ name: string; type: string; query?: unknown }> };
  panels: Array<{ title: string; type: string; datasource?: { uid?: string }; targets?: Array<{ expr: string; datasource?: { uid?: string } }> }>;
}
const dashboard = (): Dashboard => JSON.parse(readFileSync(path.join(DOCKER, 'grafana/dashboards/ixc-iot-sync.json'), 'utf8')) as Dashboard;

/** The label matchers of each selector of `name` in a PromQL expression. */
function matchersOf(expr: string, prefix: string): string[] {
  return [...expr.matchAll(new RegExp(`\\b(${prefix}[a-z0-9_]*)(\\{[^}]*\\})?`, 'g'))].map((m) => m[2] ?? '');
}

function alertRules(): Rule[] {
  const doc = parse(readFileSync(path.join(DOCKER, 'prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> };
  return doc.groups.flatMap((g) => g.rules);
}

function dashboardExprs(): Array<{ panel: string; expr: string }> {
  const dash = dashboard();
  return dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}

/** The metric names a PromQL expression selects; throws when it does not parse. */
function selectedMetrics(expr: string): string[] {
  const tree = promql.parse(expr);
  const names: string[] = [];
  let error: number | null = null;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) error ??= node.from;
      if (node.name === 'VectorSelector') {
        const id = node.node.firstChild;
        if (id?.name === 'Identifier') names.push(expr.slice(id.from, id.to));
      }
    },
  });
  if (error !== null) throw new Error(`not PromQL at ${error}: ${expr}`);
  return names;
}

/** Metric names a scrape offers: families from `# TYPE`, histograms with their series suffixes. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type] = m;
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
  }
  return names;
}

describe('dashboard and alert rules use only metrics the worker exposes', () => {
  let server: OpsServer;
  let scraped: Set<string>;
  /** What the worker's scrape and Connect's exporter offer together. */
  let known: Set<string>;

  beforeAll(async () => {
    const idle = { start: () => undefined, stop: async () => undefined };
    const metrics = createMetrics();
    const monitor = createOpsMonitor({
      metrics,
      lag: { ...idle, poll: async () => ({}) as never, snapshot: () => ({ groupId: 'g', ok: true, error: null, checkedAt: 0, partitions: [], missingTopics: [], dlqRecords: null, probes: 0 }) } as LagMonitor,
      connector: { ...idle, poll: async () => ({}) as never, snapshot: () => ({ name: 'c', state: 'RUNNING', tasks: [], detail: null, checkedAt: 0 }) } as ConnectorMonitor,
      workSet: { ...idle, poll: async () => ({}) as never, snapshot: () => ({ ok: true, error: null, checkedAt: 0, backlog: 0, oldestAgeSeconds: 0, leased: 0, parkedByReason: {}, recentFailures: [], heldChanges: [] }) } as WorkSetMonitor,
    });
    server = createOpsServer({ monitor, metrics }, { port: 0 });
    const { url } = await server.start();
    scraped = exposedNames(await (await fetch(`${url}/metrics`)).text());
    known = new Set([...scraped, ...jmxExporterNames()]);
  });

  afterAll(async () => server.stop());

  it('the PromQL reader finds selectors and rejects broken expressions', () => {
    expect(selectedMetrics('sum by (le) (rate(a_bucket[5m])) > 0 and up{job="x"} == 0')).toEqual(['a_bucket', 'up']);
    expect(() => selectedMetrics('sum(rate(a_total[5m]) >')).toThrow(/not PromQL/);
  });

  it('scrapes the catalogue', () => {
    expect(scraped.has('ixc_iot_sync_consumer_lag_seconds')).toBe(true);
    expect(scraped.has('ixc_iot_sync_api_request_duration_seconds_bucket')).toBe(true);
  });

  it('every alert rule uses existing metrics', () => {
    const rules = alertRules();
    expect(rules.length).toBeGreaterThanOrEqual(10);
    for (const alert of ['IxcIotSyncConsumerLagGrowing', 'IxcIotSyncBacklogOld', 'IxcIotSyncConnectorNotRunning', 'IxcIotSyncBreakerOpen', 'IxcIotSyncParkedGrowing']) {
      expect(rules.map((r) => r.alert)).toContain(alert);
    }
    for (const rule of rules) {
      const selected = selectedMetrics(rule.expr);
      // Annotation templates may query too (`query "..."`).
      const inAnnotations = Object.values(rule.annotations ?? {}).flatMap((a) => [...a.matchAll(PROJECT_METRIC)].map((m) => m[0]));
      const used = [...selected, ...inAnnotations].filter((n) => !PROMETHEUS_SYNTHETIC.has(n));
      expect({ alert: rule.alert, selects: selected.length > 0 }).toEqual({ alert: rule.alert, selects: true });
      expect({ alert: rule.alert, missing: used.filter((n) => !known.has(n)) }).toEqual({ alert: rule.alert, missing: [] });
    }
  });

  it('every dashboard query uses existing metrics', () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThanOrEqual(15);
    for (const { panel, expr } of exprs) {
      const used = selectedMetrics(expr);
      expect({ panel, selects: used.length > 0 }).toEqual({ panel, selects: true });
      expect({ panel, missing: used.filter((n) => !known.has(n)) }).toEqual({ panel, missing: [] });
    }
  });

  it('the new metrics are exported: rate limiter, memory, event loop, GC, and Debezium source lag on the exporter', () => {
    for (const name of [
      'ixc_iot_sync_api_limiter_in_flight', 'ixc_iot_sync_api_limiter_waiting', 'ixc_iot_sync_api_limiter_wait_seconds_bucket',
      'ixc_iot_sync_process_resident_memory_bytes', 'ixc_iot_sync_nodejs_eventloop_lag_p99_seconds', 'ixc_iot_sync_nodejs_gc_duration_seconds_sum',
    ]) expect(scraped.has(name)).toBe(true);
    expect(jmxExporterNames().has('debezium_mariadb_streaming_milliseconds_behind_source')).toBe(true);
    const used = new Set(dashboardExprs().flatMap(({ expr }) => selectedMetrics(expr)));
    for (const name of ['ixc_iot_sync_api_limiter_waiting', 'ixc_iot_sync_process_resident_memory_bytes', 'ixc_iot_sync_nodejs_eventloop_lag_p99_seconds',
      'ixc_iot_sync_nodejs_gc_duration_seconds_sum', 'debezium_mariadb_streaming_milliseconds_behind_source', 'debezium_mariadb_queue_remaining_capacity']) {
      expect({ name, onTheDashboard: used.has(name) }).toEqual({ name, onTheDashboard: true });
    }
    const alerts = alertRules().map((r) => r.expr).join('\n');
    for (const name of ['ixc_iot_sync_end_to_end_latency_seconds_bucket', 'ixc_iot_sync_process_resident_memory_bytes', 'debezium_mariadb_streaming_milliseconds_behind_source']) {
      expect(alerts).toContain(name);
    }
  });

  it('the dashboard imports into any Grafana: datasource and instances are variables', () => {
    const dash = dashboard();
    const variables = Object.fromEntries(dash.templating.list.map((v) => [v.name, v.type]));
    expect(variables).toMatchObject({ datasource: 'datasource', instance: 'query', connect_instance: 'query' });
    for (const panel of dash.panels.filter((p) => p.type !== 'row')) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid: '${datasource}' });
      for (const t of panel.targets ?? []) {
        expect({ panel: panel.title, uid: t.datasource?.uid }).toEqual({ panel: panel.title, uid: '${datasource}' });
        for (const m of matchersOf(t.expr, 'ixc_iot_sync_')) expect({ panel: panel.title, m }).toEqual({ panel: panel.title, m: expect.stringContaining('instance=~"$instance"') });
        for (const m of matchersOf(t.expr, 'debezium_')) expect({ panel: panel.title, m }).toEqual({ panel: panel.title, m: expect.stringContaining('instance=~"$connect_instance"') });
      }
    }
  });

  it('every alert links its own section of docs/runbook.md, and every section is an alert', () => {
    const runbook = readFileSync(path.join(ROOT, 'docs/runbook.md'), 'utf8');
    const sections = [...runbook.matchAll(/^## (\S+)$/gm)].map((m) => m[1]!);
    const rules = alertRules();
    for (const rule of rules) {
      expect({ alert: rule.alert, url: rule.annotations?.runbook_url }).toEqual({ alert: rule.alert, url: `docs/runbook.md#${rule.alert.toLowerCase()}` });
    }
    expect(sections.sort()).toEqual(rules.map((r) => r.alert).sort());
    for (const alert of ['IxcIotSyncEndToEndLatencyHigh', 'IxcIotSyncMemoryHigh', 'IxcIotSyncSourceLagHigh']) expect(sections).toContain(alert);
  });

  it('Prometheus loads the rules file and scrapes the ops port', () => {
    const config = parse(readFileSync(path.join(DOCKER, 'prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; metrics_path: string }>;
    };
    expect(config.rule_files).toContain('/etc/prometheus/alerts.yml');
    const compose = parse(readFileSync(path.join(DOCKER, 'compose.yml'), 'utf8')) as { services: Record<string, { volumes?: string[] }> };
    expect(compose.services.prometheus?.volumes).toEqual(expect.arrayContaining(['./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro']));
    expect(compose.services.grafana?.volumes).toEqual(expect.arrayContaining(['./grafana/dashboards:/etc/grafana/dashboards:ro']));
    expect(config.scrape_configs).toEqual(expect.arrayContaining([expect.objectContaining({ job_name: 'ixc-iot-sync', metrics_path: '/metrics' })]));
    // Debezium's own metrics: Prometheus scrapes Connect's JMX exporter.
    expect(config.scrape_configs).toEqual(expect.arrayContaining([expect.objectContaining({ job_name: 'kafka-connect', static_configs: [{ targets: ['connect:9404'] }] })]));
  });
});
