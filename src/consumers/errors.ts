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

/**
 * The dead-letter topic does not exist. Broker auto-creation is off (DESIGN.md § CDC source), so
 * the first undecodable record would fail every retry and hold its partition: the worker refuses
 * to start and gives the command that creates the topic.
 */
export class DeadLetterTopicMissingError extends Error {
  readonly retriable = false;
  readonly topic: string;
  /** The exact command that creates the topic on this cluster. */
  readonly command: string;

  constructor(topic: string, command: string) {
    super(
      `Dead-letter topic "${topic}" (KAFKA_DLQ_TOPIC) does not exist and broker topic auto-creation is off. Create it with:\n  ${command}\n` +
        `(the local stack creates it: ixc-iot-sync stack up)`,
    );
    this.name = 'DeadLetterTopicMissingError';
    this.topic = topic;
    this.command = command;
  }
}
