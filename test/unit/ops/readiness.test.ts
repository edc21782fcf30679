import { evaluateReadiness, type ReadinessSnapshot } from '../../../src/ops/readiness';

const now = 1_000_000_000;
function healthy(): ReadinessSnapshot {
  return {
    now,
    database: { ok: true },
    kafka: { ok: true },
    connector: { state: 'RUNNING', taskStates: ['RUNNING'], heartbeatAt: now - 5_000 },
    partitions: [{ topic: 'ixc.ixcprovedor.cliente_contrato', partition: 0, lag: 3, lastProgressAt: now - 1_000 }],
    openBreakers: [{ name: 'POST /customers', since: now - 10_000 }],
    configurationFault: null,
  };
}

describe('evaluateReadiness', () => {
  it('is ready when everything flows, even with lag that is moving and a young open breaker', () => {
    expect(evaluateReadiness(healthy())).toEqual({ ready: true, reasons: [] });
  });

  it.each<[string, (s: ReadinessSnapshot) => void, string]>([
    ['database down', (s) => (s.database = { ok: false, error: 'ECONNREFUSED' }), 'database unreachable: ECONNREFUSED'],
    ['kafka down', (s) => (s.kafka = { ok: false }), 'kafka unreachable'],
    ['connector paused', (s) => (s.connector.state = 'PAUSED'), 'connector PAUSED'],
    ['task failed', (s) => (s.connector.taskStates = ['FAILED']), 'connector task 0 FAILED'],
    ['no task', (s) => (s.connector.taskStates = []), 'connector has no task'],
    ['stale heartbeat', (s) => (s.connector.heartbeatAt = now - 90_000), 'connector heartbeat 90 s old'],
    ['stuck partition', (s) => (s.partitions[0]!.lastProgressAt = now - 200_000), 'stuck: 3 behind, no progress for 200 s'],
    ['breaker open too long', (s) => (s.openBreakers[0]!.since = now - 400_000), 'breaker POST /customers open for 400 s'],
    ['configuration fault too long', (s) => (s.configurationFault = { since: now - 301_000, message: '403 from platform' }), 'configuration fault for 301 s'],
  ])('is unready when %s', (_name, mutate, reason) => {
    const s = healthy();
    mutate(s);
    const r = evaluateReadiness(s);
    expect(r.ready).toBe(false);
    expect(r.reasons.join('\n')).toContain(reason);
  });

  it('does not call a caught-up idle partition stuck', () => {
    const s = healthy();
    s.partitions = [{ topic: 't', partition: 0, lag: 0, lastProgressAt: now - 10_000_000 }];
    expect(evaluateReadiness(s).ready).toBe(true);
  });
});
