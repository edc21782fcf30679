import { randomBytes } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { readTopicRange } from './read-topic-range';

/**
 * Timestamp (ms) of the newest record on a topic, null when it is empty. Reads the last record of
 * each partition with a throwaway group. The CLI uses it on Debezium's heartbeat topic to tell
 * whether the connector is alive when no worker is consuming.
 */
export async function lastRecordTime(deps: { kafka: Kafka; admin: Admin }, topic: string, groupPrefix: string): Promise<number | null> {
  const offsets = await deps.admin.fetchTopicOffsets(topic);
  const ranges = offsets
    .filter((p) => BigInt(p.high) > BigInt(p.low))
    .map((p) => ({ topic, partition: p.partition, from: (BigInt(p.high) - 1n).toString(), to: p.high }));
  let newest: number | null = null;
  await readTopicRange(deps, {
    groupId: `${groupPrefix}.last-record.${randomBytes(6).toString('hex')}`,
    ranges,
    firstOnly: true,
    idleTimeoutMs: 10_000,
    timeoutMs: 15_000,
    onRecords: (records) => {
      for (const r of records) if (r.timestamp !== undefined) newest = Math.max(newest ?? 0, Number(r.timestamp));
    },
  });
  return newest;
}
