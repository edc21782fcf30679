import { maskText } from '../lib/mask';
import type { RawRecord } from './decode-change-event';

/** Why a record was dead-lettered: the error's class name and its reason. */
export interface DeadLetterCause {
  name: string;
  reason: string;
}

/** A record for the dead-letter topic: the original bytes untouched, the context in headers. */
export interface DeadLetterMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: Record<string, string>;
}

/**
 * Header names: Kafka Connect's error-context headers (KIP-298, `errors.deadletterqueue.context.headers.enable`),
 * which existing DLQ tooling reads; the original timestamp and the failure time have no Connect
 * equivalent and keep ours.
 */
export const DLQ_HEADERS = {
  originalTopic: '__connect.errors.topic',
  originalPartition: '__connect.errors.partition',
  originalOffset: '__connect.errors.offset',
  originalTimestamp: 'x-original-timestamp',
  errorClass: '__connect.errors.exception.class.name',
  errorMessage: '__connect.errors.exception.message',
  failedAt: 'x-failed-at',
} as const;

/**
 * Builds the dead letter for a record that cannot be decoded or does not fit the work set. The
 * message is masked: it may quote the payload.
 */
export function toDeadLetter(record: RawRecord, error: DeadLetterCause, now: Date = new Date()): DeadLetterMessage {
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
