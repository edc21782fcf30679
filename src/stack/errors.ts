/**
 * Typed errors of the local CDC stack. Each message says what to do, because the person reading it
 * is at a terminal (or a CI log) and the stack cannot fix the machine for them.
 */
export class StackError extends Error {
  readonly retriable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StackError';
  }
}

/** A program the stack needs (java, mvn, mariadbd) is missing or too old. */
export class StackPrerequisiteError extends StackError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StackPrerequisiteError';
  }
}

/** A port the stack wants is held by a process the stack did not start. */
export class StackPortInUseError extends StackError {
  readonly port: number;

  constructor(port: number, service: string, setting: string) {
    super(
      `Port ${port} (${service}) is taken by a process this stack did not start. ` +
        `Stop that process, or choose another port with ${setting}=<port>.`,
    );
    this.name = 'StackPortInUseError';
    this.port = port;
  }
}

/** Maven could not fetch the Kafka or Debezium jars. */
export class StackDownloadError extends StackError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StackDownloadError';
  }
}

/** A service did not start or become ready in time; the message names its log file. */
export class StackStartError extends StackError {
  override readonly retriable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StackStartError';
  }
}
