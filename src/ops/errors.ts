/**
 * Typed errors of the operations surface (monitors, ops server, operator commands). Messages say
 * what to do: the reader is an operator at a terminal or a dashboard.
 */
class OpsError extends Error {
  readonly retriable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OpsError';
  }
}

/** A bad option given to a monitor, the ops server or an operator command. */
export class OpsOptionError extends OpsError {
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.name = 'OpsOptionError';
    this.option = option;
  }
}

/** Kafka Connect's REST API did not answer, or answered something unexpected. */
export class ConnectUnreachableError extends OpsError {
  override readonly retriable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectUnreachableError';
  }
}

/** A bounded read of a topic (probe, DLQ, replay) could not finish. */
export class TopicReadError extends OpsError {
  override readonly retriable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TopicReadError';
  }
}
