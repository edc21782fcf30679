import { OpsOptionError } from '../../../src/ops/errors';
import { parseReplayFrom } from '../../../src/ops/replay';
import { formatDuration, formatStatus } from '../../../src/ops/status-text';
import type { StatusDocument } from '../../../src/ops/ops-monitor';

describe('parseReplayFrom', () => {
  it('takes earliest or an ISO time and refuses the rest, naming the option', () => {
    expect(parseReplayFrom('earliest')).toBe('earliest');
    expect(parseReplayFrom('2026-07-01T03:00:00Z')).toEqual(new Date('2026-07-01T03:00:00Z'));
    expect(parseReplayFrom('2026-07-01')).toEqual(new Date('2026-07-01T00:00:00Z'));
    for (const bad of ['latest', 'yesterday', '1700000000000', '2026-13-45']) {
      expect(() => parseReplayFrom(bad)).toThrow(OpsOptionError);
      expect(() => parseReplayFrom(bad)).toThrow(/^--from: /);
    }
  });
});

describe('formatDuration', () => {
  it.each([
    [null, '–'],
    [3.14, '3.1 s'],
    [42, '42 s'],
    [600, '10.0 min'],
    [7200, '2.0 h'],
  ])('%p → %p', (s, out) => expect(formatDuration(s)).toBe(out));
});

describe('formatStatus', () => {
  it('says when the connector is not running and lists lag and unsettled failures', () => {
    const doc = {
      generatedAt: '2026-07-01T00:00:10.000Z',
      readiness: { ready: false, reasons: ['connector PAUSED'] },
      connector: { name: 'c', state: 'PAUSED', tasks: [{ id: 0, state: 'PAUSED', workerId: null, trace: null }], detail: null, checkedAt: 0, heartbeatAgeSeconds: null },
      lag: {
        groupId: 'g', ok: true, error: null, checkedAt: 0, missingTopics: ['t2'], dlqRecords: 3, probes: 1, totalLag: 4, maxLagSeconds: 125,
        partitions: [{ topic: 't', partition: 0, committedOffset: '6', lowWatermark: '0', highWatermark: '10', nextOffset: '6', lag: 4, lagSeconds: 125, oldestUnconsumedAt: 0, lastProgressAt: 0 }],
      },
      workSet: { ok: true, error: null, checkedAt: 0, backlog: 2, oldestAgeSeconds: 30, leased: 1, parkedByReason: { invalid_customer: 1 }, recentFailures: [{ contractId: 9, error: 'boom\nstack', attempts: 2, parkedReason: null, ageSeconds: 5 }],
        heldChanges: [{ id: '7', origin: 'produtos row 12, transaction 0-1-345', originTable: 'produtos', originRow: '12', transaction: '0-1-345', destructive: 60, contracts: 60, sample: [101, 102, 103], heldAt: '2026-07-01T00:00:08.000Z' }] },
      reconciles: {}, api: [], breakers: [], dlq: { topicRecords: 3, deadLetteredByThisInstance: 0 }, configurationFault: null,
      consumer: { recordsByTopic: {}, rebalances: 0, lastBatchAt: null }, startedAt: '2026-07-01T00:00:00.000Z',
    } satisfies StatusDocument;
    const lines = formatStatus(doc, { heartbeatWrittenAt: Date.parse('2026-07-01T00:00:05.000Z'), liveWorkers: [] });
    expect(lines[0]).toBe('Connector   c PAUSED (task 0 PAUSED); last heartbeat written 5.0 s ago');
    expect(lines).toContain('Consumer    group g: 4 records behind, oldest unconsumed 2.1 min old');
    expect(lines.some((l) => /^\s+t\s+0\s+6\s+10\s+4\s+2\.1 min$/.test(l))).toBe(true);
    expect(lines).toContain('            missing topics: t2');
    expect(lines).toContain('Work set    backlog 2 (oldest mark 30 s old), in flight 1');
    expect(lines).toContain('Parked      invalid_customer 1');
    expect(lines).toContain('Held        1 change(s) waiting for "reconcile --confirm <change>"');
    expect(lines).toContain(
      '            change 7 HELD: 60 revocation(s)/cancellation(s) on 60 contract(s) from produtos row 12, transaction 0-1-345; contracts 101, 102, 103, …; release with "reconcile --confirm 7"',
    );
    expect(lines).toContain('Dead letter 3 record(s)');
    expect(lines).toContain('Workers     none running');
    expect(lines.at(-1)).toMatch(/^\s+9\s+2\s+5\.0 s\s+boom$/);
    // Debezium's own lag (Connect's JMX exporter) next to the consumer lag.
    expect(lines[1]).toBe('Source      lag unknown (no CONNECT_METRICS_URL)');
    const withSource = { ...doc, connector: { ...doc.connector, source: { lagMs: 1500, connected: true, snapshotRunning: false, detail: null } } };
    expect(formatStatus(withSource, { heartbeatWrittenAt: null, liveWorkers: [] })[1]).toBe('Source      Debezium 1.5 s behind the binlog');
    const down = { ...doc, connector: { ...doc.connector, source: { lagMs: null, connected: null, snapshotRunning: null, detail: "Connect's JMX exporter at http://x/metrics did not answer (fetch failed)" } } };
    expect(formatStatus(down, { heartbeatWrittenAt: null, liveWorkers: [] })[1]).toBe("Source      lag unknown (Connect's JMX exporter at http://x/metrics did not answer (fetch failed))");
  });
});
