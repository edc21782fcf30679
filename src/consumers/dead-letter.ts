import { maskText } from '../lib/mask';
import type { RawRecord } from './change-event';
import type { EnvelopeDecodeError } from './errors';

/** A record for the dead-letter topic: the original bytes untouched, the context in headers. */
export interface DeadLetterMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: Record<string, string>;
}

/** Header names, modelled on Kafka Connect's error-context headers (KIP-298). */
export const DLQ_HEADERS = {
  originalTopic: 'x-original-topic',
  originalPartition: 'x-original-partition',
  originalOffset: 'x-original-offset',
  originalTimestamp: 'x-original-timestamp',
  errorClass: 'x-error-class',
  errorMessage: 'x-error-message',
  failedAt: 'x-failed-at',
} as const;

/** Builds the dead letter for an undecodable record. The message is masked: it may quote the payload. */
export function toDeadLetter(record: RawRecord, error: EnvelopeDecodeError, now: Date = new Date()): DeadLetterMessage {
  const headers: Record<string, string> = {
    [DLQ_HEADERS.originalTopic]: record.topic,
    [DLQ_HEADERS.originalPartition]: String(record.partition),
    [DLQ_HEADERS.originalOffset]: record.offset,
    [DLQ_HEADERS.errorClass]: error.name,
    [DLQ_HEADERS.errorMessage]: maskText(error.reason).slice(0, 1000),
    [DLQ_HEADERS.failedAt]: now.toISOString(),
  };
  if (record.timestamp !== undefined) headers[DLQ_HEADERS.originalTimestamp] = record.timestamp;
  return { key: record.key, value: record.value, headers };
}
