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

const DOCKER = path.resolve(__dirname, '../../../docker');
const PROJECT_METRIC = /\bixc_iot_sync_[a-z0-9_]+\b/g;
/** Series Prometheus itself synthesises for every scrape target. */
const PROMETHEUS_SYNTHETIC = new Set(['up']);

interface Rule { alert: string; expr: string; annotations?: Record<string, string> }

function alertRules(): Rule[] {
  const doc = parse(readFileSync(path.join(DOCKER, 'prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> };
  return doc.groups.flatMap((g) => g.rules);
}

function dashboardExprs(): Array<{ panel: string; expr: string }> {
  const dash = JSON.parse(readFileSync(path.join(DOCKER, 'grafana/dashboards/ixc-iot-sync.json'), 'utf8')) as {
    panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
  };
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

  beforeAll(async () => {
    const idle = { start: () => undefined, stop: async () => undefined };
    const metrics = createMetrics();
    const monitor = createOpsMonitor({
      metrics,
      lag: { ...idle, poll: async () => ({}) as never, snapshot: () => ({ groupId: 'g', ok: true, error: null, checkedAt: 0, partitions: [], missingTopics: [], dlqRecords: null, probes: 0 }) } as LagMonitor,
      connector: { ...idle, poll: async () => ({}) as never, snapshot: () => ({ name: 'c', state: 'RUNNING', tasks: [], detail: null, checkedAt: 0 }) } as ConnectorMonitor,
      workSet: { ...idle, poll: async () => ({}) as never, snapshot: () => ({ ok: true, error: null, checkedAt: 0, backlog: 0, oldestAgeSeconds: 0, leased: 0, parkedByReason: {}, recentFailures: [] }) } as WorkSetMonitor,
    });
    server = createOpsServer({ monitor, metrics }, { port: 0 });
    const { url } = await server.start();
    scraped = exposedNames(await (await fetch(`${url}/metrics`)).text());
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
      expect({ alert: rule.alert, missing: used.filter((n) => !scraped.has(n)) }).toEqual({ alert: rule.alert, missing: [] });
    }
  });

  it('every dashboard query uses existing metrics', () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThanOrEqual(15);
    for (const { panel, expr } of exprs) {
      const used = selectedMetrics(expr);
      expect({ panel, selects: used.length > 0 }).toEqual({ panel, selects: true });
      expect({ panel, missing: used.filter((n) => !scraped.has(n)) }).toEqual({ panel, missing: [] });
    }
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
  });
});
