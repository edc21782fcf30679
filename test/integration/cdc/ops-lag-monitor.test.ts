import type { Admin, Kafka } from 'kafkajs';
import { createLagMonitor, type LagMonitor, type PartitionLag } from '../../../src/ops/lag-monitor';
import { createMetrics } from '../../../src/ops/metrics';
import { waitFor } from '../../helpers/wait-for';
import { consumeToEnd, createTestTopic, produceTimed, randomName, testKafka } from '../ops/helpers/kafka-fixtures';

/**
 * Lag against now on the real broker: a group that stopped part-way has lag in seconds that keeps
 * growing (not "lag at the last commit", which would stay flat), and it falls to zero when the
 * group resumes and catches up.
 */
describe('lag monitor on the real broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  let topic: string;
  let groupId: string;
  let monitor: LagMonitor;
  const metrics = createMetrics({ defaultMetrics: false });
  const baseTs = Date.now() - 120_000;
  const stepMs = 1_000;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    topic = await createTestTopic(admin, 2);
    groupId = randomName('ops-test-group');
    await produceTimed(kafka, topic, 2, 10, baseTs, stepMs);
    monitor = createLagMonitor({ kafka, metrics }, { groupId, topics: [topic], pollIntervalMs: 500, probeTimeoutMs: 15_000 });
  });

  afterAll(async () => {
    await monitor?.stop();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const partition = (ps: PartitionLag[], p: number): PartitionLag => {
    const found = ps.find((x) => x.topic === topic && x.partition === p);
    if (!found) throw new Error(`partition ${p} not measured`);
    return found;
  };

  it('measures the age of the oldest unconsumed record and lets it grow while the group is stopped', async () => {
    // The "worker" consumed 4 records of partition 0 and 7 of partition 1, then stopped.
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '7' }] });

    const first = await monitor.poll();
    expect(first.ok).toBe(true);
    const p0 = partition(first.partitions, 0);
    const p1 = partition(first.partitions, 1);
    expect(p0).toMatchObject({ committedOffset: '4', highWatermark: '10', lag: 6 });
    expect(p1).toMatchObject({ committedOffset: '7', highWatermark: '10', lag: 3 });
    // The probe read the record at the committed offset itself: its timestamp, exactly.
    expect(p0.oldestUnconsumedAt).toBe(baseTs + 4 * stepMs);
    expect(p1.oldestUnconsumedAt).toBe(baseTs + 7 * stepMs);
    expect(p0.lagSeconds).toBeCloseTo((first.checkedAt! - (baseTs + 4 * stepMs)) / 1000, 3);
    expect(first.probes).toBe(2);

    // Nothing is consumed: the lag in seconds keeps rising with the clock, with no new probe.
    const later = await waitFor(
      async () => {
        const s = await monitor.poll();
        return (partition(s.partitions, 0).lagSeconds ?? 0) >= (p0.lagSeconds ?? 0) + 1.5 ? s : null;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'lag seconds to grow while the group is stopped' },
    );
    expect(partition(later.partitions, 0).lag).toBe(6);
    expect(partition(later.partitions, 0).lastProgressAt).toBe(p0.lastProgressAt);
    expect(later.probes).toBe(2);

    const text = await metrics.registry.metrics();
    expect(text).toMatch(new RegExp(`ixc_iot_sync_consumer_lag_offsets\\{topic="${topic}",partition="0"\\} 6`));
    expect(text).toMatch(new RegExp(`ixc_iot_sync_consumer_lag_seconds\\{topic="${topic}",partition="0"\\} \\d+`));
  });

  it('re-probes when the committed offset moves, and records the progress', async () => {
    const before = partition(monitor.snapshot().partitions, 0);
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '8' }] });
    const s = await monitor.poll();
    const p0 = partition(s.partitions, 0);
    expect(p0).toMatchObject({ committedOffset: '8', lag: 2, oldestUnconsumedAt: baseTs + 8 * stepMs });
    expect(p0.lastProgressAt).toBeGreaterThan(before.lastProgressAt);
    // Measured from the newly oldest record against now, not carried over from the old one.
    expect(p0.lagSeconds).toBeCloseTo((s.checkedAt! - (baseTs + 8 * stepMs)) / 1000, 3);
    expect(s.probes).toBe(3);
  });

  it('falls to zero when the group resumes and catches up', async () => {
    await consumeToEnd(kafka, admin, groupId, topic);
    const s = await monitor.poll();
    for (const p of [0, 1]) expect(partition(s.partitions, p)).toMatchObject({ lag: 0, lagSeconds: 0, committedOffset: '10' });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(new RegExp(`ixc_iot_sync_consumer_lag_seconds\\{topic="${topic}",partition="1"\\} 0\\n`));
  });

  it('leaves no probe groups behind', async () => {
    const { groups } = await admin.listGroups();
    expect(groups.filter((g) => g.groupId.startsWith(`${groupId}.lag-probe.`))).toEqual([]);
  });
});
