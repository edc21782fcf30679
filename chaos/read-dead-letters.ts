import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS } from '../src/consumers/dead-letter';
import { readTopicRange } from '../src/ops/read-topic-range';

export interface DeadLetterRecord {
  originalTopic: string;
  originalOffset: string;
  errorClass: string;
  error: string;
  /** Key, value and every header as text, for the leak search. */
  raw: string;
}

/** Every record of the dead-letter topic right now (read with a throwaway group, never committed). */
export async function readDeadLetters(kafka: Kafka, dlqTopic: string): Promise<DeadLetterRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const letters: DeadLetterRecord[] = [];
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(dlqTopic)) return [];
    const offsets = await admin.fetchTopicOffsets(dlqTopic);
    const ranges = offsets.filter((p) => BigInt(p.low) < BigInt(p.high)).map((p) => ({ topic: dlqTopic, partition: p.partition, from: p.low, to: p.high }));
    await readTopicRange(
      { kafka, admin },
      {
        groupId: `chaos-dlq-${randomBytes(6).toString('hex')}`,
        ranges,
        timeoutMs: 60_000,
        onRecords: (records) => {
          for (const r of records) {
            const text = (v: unknown): string => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
            letters.push({
              originalTopic: r.headers[DLQ_HEADERS.originalTopic] ?? '',
              originalOffset: r.headers[DLQ_HEADERS.originalOffset] ?? '',
              errorClass: r.headers[DLQ_HEADERS.errorClass] ?? '',
              error: r.headers[DLQ_HEADERS.errorMessage] ?? '',
              raw: `${text(r.key)}\n${text(r.value)}\n${JSON.stringify(r.headers)}`,
            });
          }
        },
      },
    );
  } finally {
    await admin.disconnect();
  }
  return letters;
}
