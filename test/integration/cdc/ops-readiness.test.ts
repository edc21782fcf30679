import { loadConfig } from '../../../src/config/load-config';
import { waitFor } from '../../helpers/wait-for';
import { consumeToEnd } from '../ops/helpers/kafka-fixtures';
import { startOpsRig, type OpsRig } from '../ops/helpers/ops-rig';

const config = loadConfig(process.env);
const STALL_AFTER_MS = 3_000;

/**
 * `/ready` must not call a wedged pipeline healthy: it turns unready when a partition has lag and
 * no progress, and when the (real) connector is paused — and ready again once things move.
 */
describe('/ready against the real stack', () => {
  let rig: OpsRig;

  const ready = async (): Promise<{ status: number; reasons: string[] }> => {
    rig.monitor.reportHeartbeat(Date.now()); // the consumer's part: heartbeats keep arriving
    const res = await fetch(`${rig.url}/ready`);
    return { status: res.status, reasons: ((await res.json()) as { reasons: string[] }).reasons };
  };

  beforeAll(async () => {
    rig = await startOpsRig({
      groupPrefix: 'ops-ready-group',
      records: 5,
      ageMs: 30_000,
      pollIntervalMs: 300,
      defaultMetrics: false,
      monitor: { readiness: { stallAfterMs: STALL_AFTER_MS } },
    });
  });

  afterAll(async () => {
    await rig?.stop();
  });

  it('is unready while a partition has lag and no progress, and ready once the group catches up', async () => {
    const stuck = await waitFor(
      async () => {
        const r = await ready();
        return r.status === 503 && r.reasons.some((x) => x.includes(`partition ${rig.topic}[0] stuck: 3 behind`)) ? r : null;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: '/ready to report the stuck partition' },
    );
    expect(stuck.reasons.join('\n')).not.toMatch(/connector/);

    await consumeToEnd(rig.kafka, rig.admin, rig.groupId, rig.topic);
    await waitFor(async () => (await ready()).status === 200, { timeoutMs: 30_000, intervalMs: 250, what: '/ready to recover after the group caught up' });
  });

  it('is unready while the connector is paused, and ready again after it resumes', async () => {
    const connectorUrl = `${config.connect.url}/connectors/${encodeURIComponent(config.connect.connectorName)}`;
    const state = async (): Promise<string> => ((await (await fetch(`${connectorUrl}/status`)).json()) as { connector: { state: string } }).connector.state;
    expect(await state()).toBe('RUNNING');
    try {
      expect((await fetch(`${connectorUrl}/pause`, { method: 'PUT' })).status).toBe(202);
      const paused = await waitFor(
        async () => {
          const r = await ready();
          return r.status === 503 && r.reasons.includes('connector PAUSED') ? r : null;
        },
        { timeoutMs: 30_000, intervalMs: 250, what: '/ready to report the paused connector' },
      );
      expect(paused.status).toBe(503);
      const metrics = await (await fetch(`${rig.url}/metrics`)).text();
      expect(metrics).toMatch(/^ixc_iot_sync_connector_running 0$/m);
      const status = (await (await fetch(`${rig.url}/status.json`)).json()) as { connector: { state: string } };
      expect(status.connector.state).toBe('PAUSED');
    } finally {
      await fetch(`${connectorUrl}/resume`, { method: 'PUT' });
      await waitFor(async () => (await state()) === 'RUNNING', { timeoutMs: 60_000, intervalMs: 250, what: 'the connector to resume' });
    }
    await waitFor(async () => (await ready()).status === 200, { timeoutMs: 30_000, intervalMs: 250, what: '/ready after the connector resumed' });
    expect(await (await fetch(`${rig.url}/metrics`)).text()).toMatch(/^ixc_iot_sync_connector_running 1$/m);
  });
});
