/** Where a Kafka record came from; every decode error names it. */
export interface RecordPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** A record that is not a Debezium change event we can read. It goes to the dead-letter topic. */
export class EnvelopeDecodeError extends Error {
  readonly retriable = false;
  readonly position: RecordPosition;
  readonly reason: string;

  constructor(position: RecordPosition, reason: string, options?: { cause?: unknown }) {
    super(`Cannot decode ${position.topic}[${position.partition}]@${position.offset}: ${reason}`, options);
    this.name = 'EnvelopeDecodeError';
    this.position = position;
    this.reason = reason;
  }
}

export function isEnvelopeDecodeError(err: unknown): err is EnvelopeDecodeError {
  return err instanceof EnvelopeDecodeError;
}
