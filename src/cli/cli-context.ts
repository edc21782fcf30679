import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../config/load-config';
import type { AppConfig } from '../config/app-config';
import { kafkaSecurity } from '../lib/kafka-security';
import { createLogger, type Logger } from '../lib/logger';

/** What every command gets: the validated configuration and the root logger, built lazily. */
export interface CliContext {
  config(): Readonly<AppConfig>;
  logger(): Logger;
  /** Human output (stdout). Logs go to stderr. */
  print(line?: string): void;
  /**
   * A short-lived Kafka client for one command (client id `<KAFKA_CLIENT_ID>-<command>`): fails
   * fast when the broker is down instead of kafkajs's long default retries, and logs nothing of its own.
   */
  kafka(command: string, options?: { retries?: number; requestTimeoutMs?: number }): Kafka;
}

export function createCliContext(): CliContext {
  let config: Readonly<AppConfig> | undefined;
  let logger: Logger | undefined;
  const ctx: CliContext = {
    config: () => (config ??= loadConfig()),
    logger: () => (logger ??= createLogger(ctx.config().log)),
    print: (line = '') => process.stdout.write(`${line}\n`),
    kafka: (command, options = {}) => {
      const { kafka } = ctx.config();
      return new Kafka({
        clientId: `${kafka.clientId}-${command}`,
        brokers: kafka.brokers,
        ...kafkaSecurity(kafka),
        connectionTimeout: 3_000,
        ...(options.requestTimeoutMs !== undefined ? { requestTimeout: options.requestTimeoutMs } : {}),
        retry: { retries: options.retries ?? 3, initialRetryTime: 300 },
        logLevel: logLevel.NOTHING,
      });
    },
  };
  return ctx;
}
