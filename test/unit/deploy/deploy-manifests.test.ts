import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../../src/config/load-config';
import type { ConnectorMonitor } from '../../../src/ops/connector-monitor';
import type { LagMonitor } from '../../../src/ops/lag-monitor';
import { createMetrics } from '../../../src/ops/metrics';
import { createOpsMonitor } from '../../../src/ops/ops-monitor';
import { createOpsServer, type OpsServer } from '../../../src/ops/ops-server';
import type { WorkSetMonitor } from '../../../src/ops/work-set-monitor';

const ROOT = path.resolve(__dirname, '../../..');
const read = (rel: string): string => readFileSync(path.join(ROOT, rel), 'utf8');
const K8S = 'deploy/kubernetes';
/** Node's own variables, not the project's. */
const RUNTIME_VARIABLES = new Set(['NODE_OPTIONS', 'NODE_ENV']);

/** Variables `.env.example` documents (commented or not). */
function documented(): Set<string> {
  return new Set([...read('.env.example').matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));
}

/** A variable is known when documented, or when it is the `_FILE` twin of a documented secret. */
function unknownVariables(names: Iterable<string>): string[] {
  const known = documented();
  return [...names].filter((n) => !RUNTIME_VARIABLES.has(n) && !known.has(n) && !(n.endsWith('_FILE') && known.has(n.slice(0, -'_FILE'.length))));
}

interface K8sObject { kind: string; metadata: { name: string }; spec?: Record<string, unknown>; data?: Record<string, string> }
interface Container {
  name: string;
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ name: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  livenessProbe?: { httpGet: { path: string; port: string | number } };
  readinessProbe?: { httpGet: { path: string; port: string | number } };
  startupProbe?: { httpGet: { path: string; port: string | number } };
  resources?: { requests?: { memory?: string }; limits?: { memory?: string } };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean };
  containers: Container[];
  volumes?: Array<{ name: string; secret?: { secretName: string } }>;
}

function k8sObjects(): K8sObject[] {
  return readdirSync(path.join(ROOT, K8S))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) => parseAllDocuments(read(`${K8S}/${f}`)).map((d) => d.toJS() as K8sObject));
}
const byKind = (kind: string): K8sObject[] => k8sObjects().filter((o) => o.kind === kind);
const podSpec = (o: K8sObject): PodSpec => (o.spec as { template: { spec: PodSpec } }).template.spec;
const mebibytes = (q: string): number => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? NaN);

function envFile(rel: string): Record<string, string> {
  return Object.fromEntries(read(rel).split('\n').filter((l) => /^[A-Z]/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

interface ComposeService { image?: string; command?: string[]; environment?: Record<string, string>; healthcheck?: { test?: string[]; disable?: boolean }; stop_grace_period?: string; depends_on?: Record<string, { condition: string }> }
const compose = (): Record<string, ComposeService> =>
  (parse(read('docker/compose.yml'), { merge: true }) as { services: Record<string, ComposeService> }).services;
const seconds = (duration: string): number => Number(/^(\d+)s$/.exec(duration)?.[1] ?? NaN);

/** The worker's default SHUTDOWN_TIMEOUT_MS, or the value a manifest sets. */
const shutdownMs = (value?: string): number => (value === undefined ? loadConfig({}).reconcile.shutdownTimeoutMs : Number(value));

describe('deployment manifests stay in step with the code', () => {
  let server: OpsServer;
  let opsUrl: string;

  beforeAll(async () => {
    const idle = { start: () => undefined, stop: async () => undefined, poll: async () => ({}) as never };
    const metrics = createMetrics({ defaultMetrics: false });
    const monitor = createOpsMonitor({
      metrics,
      lag: { ...idle, snapshot: () => ({ groupId: 'g', ok: true, error: null, checkedAt: 0, partitions: [], missingTopics: [], dlqRecords: null, probes: 0 }) } as LagMonitor,
      connector: { ...idle, snapshot: () => ({ name: 'c', state: 'RUNNING', tasks: [], detail: null, checkedAt: 0 }) } as ConnectorMonitor,
      workSet: { ...idle, snapshot: () => ({ ok: true, error: null, checkedAt: 0, backlog: 0, oldestAgeSeconds: 0, leased: 0, parkedByReason: {}, recentFailures: [], heldChanges: [] }) } as WorkSetMonitor,
    });
    server = createOpsServer({ monitor, metrics }, { port: 0 });
    opsUrl = (await server.start()).url;
  });
  afterAll(async () => server.stop());

  /** A probe path is served when the ops server answers it with something else than 404. */
  const served = async (probePath: string): Promise<boolean> => (await fetch(`${opsUrl}${probePath}`)).status !== 404;

  it('every variable the manifests set is one the worker reads (.env.example)', () => {
    const set = new Set<string>();
    for (const o of k8sObjects()) {
      if (o.kind === 'ConfigMap') Object.keys(o.data ?? {}).forEach((k) => set.add(k));
      if (o.kind === 'Deployment' || o.kind === 'Job') for (const c of podSpec(o).containers) (c.env ?? []).forEach((e) => set.add(e.name));
    }
    Object.keys(envFile('deploy/systemd/ixc-iot-sync.env')).forEach((k) => set.add(k));
    const services = compose();
    // Only the services running this project's image (MariaDB, Kafka, Grafana read their own).
    for (const svc of Object.values(services)) if (svc.image?.startsWith('ixc-iot-sync:')) Object.keys(svc.environment ?? {}).forEach((k) => set.add(k));
    expect(set.size).toBeGreaterThan(15);
    expect(unknownVariables(set)).toEqual([]);
    // The checker itself: an unknown name is caught, a secret's _FILE twin is accepted.
    expect(unknownVariables(['IXC_DB_PASWORD', 'IXC_DB_PASSWORD_FILE', 'NODE_OPTIONS'])).toEqual(['IXC_DB_PASWORD']);
  });

  it('Kubernetes: probes on paths and the port the ops server serves, non-root, read-only, secrets as files, sized from the benchmark', async () => {
    const [deployment] = byKind('Deployment');
    const pod = podSpec(deployment!);
    const [worker] = pod.containers;
    const config = byKind('ConfigMap')[0]!.data!;
    const ops = worker!.ports!.find((p) => p.name === 'ops')!;
    expect(ops.containerPort).toBe(Number(config.OPS_PORT ?? loadConfig({}).ops.port));
    expect(worker!.livenessProbe!.httpGet).toEqual({ path: '/health', port: 'ops' });
    expect(worker!.readinessProbe!.httpGet).toEqual({ path: '/ready', port: 'ops' });
    for (const probe of [worker!.livenessProbe, worker!.readinessProbe, worker!.startupProbe]) {
      expect(await served(probe!.httpGet.path)).toBe(true);
    }
    expect(await served('/no-such-probe')).toBe(false);

    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(worker!.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(shutdownMs(config.SHUTDOWN_TIMEOUT_MS));

    // Every *_FILE points into a mounted Secret volume; no secret value is set in the environment.
    const secretVolumes = new Set((pod.volumes ?? []).filter((v) => v.secret).map((v) => v.name));
    const secretMounts = (worker!.volumeMounts ?? []).filter((m) => secretVolumes.has(m.name)).map((m) => m.mountPath);
    const files = (worker!.env ?? []).filter((e) => e.name.endsWith('_FILE'));
    expect(files.map((e) => e.name).sort()).toEqual(['IOT_CLIENT_SECRET_FILE', 'IXC_DB_PASSWORD_FILE', 'OPS_TOKEN_FILE']);
    for (const f of files) expect(secretMounts.some((m) => f.value!.startsWith(`${m}/`))).toBe(true);
    for (const secret of ['IXC_DB_PASSWORD', 'IOT_CLIENT_SECRET', 'OPS_TOKEN']) expect(Object.keys(config)).not.toContain(secret);

    // docs/benchmarks.md's peak RSS of the worker (with the heap cap) fits under the limit.
    const peakRssMb = Number(/`peak_rss_mb` \(worker, drain\) \| \*\*(\d+)\*\*/.exec(read('docs/benchmarks.md'))?.[1]);
    expect(peakRssMb).toBeGreaterThan(100);
    expect(mebibytes(worker!.resources!.limits!.memory!)).toBeGreaterThan(peakRssMb);
    expect(mebibytes(worker!.resources!.requests!.memory!)).toBeLessThanOrEqual(mebibytes(worker!.resources!.limits!.memory!));

    expect(byKind('PodDisruptionBudget')).toHaveLength(1);
    const [service] = byKind('Service');
    expect((service!.spec as { ports: Array<{ targetPort: string }> }).ports[0]!.targetPort).toBe('ops');
    expect(byKind('ServiceMonitor')).toHaveLength(1);
    const kustomization = parse(read(`${K8S}/kustomization.yaml`)) as { resources: string[] };
    for (const f of kustomization.resources) expect(readdirSync(path.join(ROOT, K8S))).toContain(f);
  });

  it('compose: healthchecks on worker and sandbox, migrate once before start, a grace period above the drain', async () => {
    const services = compose();
    const worker = services.worker!;
    expect(worker.command).toEqual(['node', 'dist/cli/main.js', 'start']);
    expect(services.migrate?.command).toEqual(['node', 'dist/cli/main.js', 'migrate']);
    expect(worker.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
    expect(worker.healthcheck?.test?.join(' ')).toContain(`127.0.0.1:${loadConfig({}).ops.port}/health`);
    expect(await served('/health')).toBe(true);
    expect(services.sandbox?.healthcheck?.test?.length).toBeGreaterThan(0);
    expect(worker.depends_on?.sandbox).toEqual({ condition: 'service_healthy' });
    expect(seconds(worker.stop_grace_period!) * 1000).toBeGreaterThan(shutdownMs(worker.environment?.SHUTDOWN_TIMEOUT_MS));
    // The one-shots inherit the image's HEALTHCHECK; they serve no ops port.
    for (const oneShot of ['connector-init', 'migrate']) expect(services[oneShot]?.healthcheck?.disable).toBe(true);

    const dockerfile = read('docker/worker.Dockerfile');
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/health/m);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('systemd: hardened, a dedicated user, TimeoutStopSec above the drain', () => {
    const unit = read('deploy/systemd/ixc-iot-sync.service');
    const directives = Object.fromEntries(unit.split('\n').filter((l) => /^[A-Za-z]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(directives).toMatchObject({ NoNewPrivileges: 'yes', ProtectSystem: 'strict', PrivateTmp: 'yes', ProtectHome: 'yes', User: 'ixc-iot-sync' });
    expect(directives.ExecStart).toMatch(/dist\/cli\/main\.js start$/);
    const env = envFile('deploy/systemd/ixc-iot-sync.env');
    expect(Number(directives.TimeoutStopSec) * 1000).toBeGreaterThan(shutdownMs(env.SHUTDOWN_TIMEOUT_MS));
    expect(directives.EnvironmentFile).toBe('/etc/ixc-iot-sync/ixc-iot-sync.env');
    for (const secret of ['IXC_DB_PASSWORD', 'IOT_CLIENT_SECRET', 'OPS_TOKEN']) {
      expect(env).not.toHaveProperty(secret);
      expect(env[`${secret}_FILE`]).toMatch(/^\/etc\/ixc-iot-sync\/secrets\//);
    }
  });
});
