import { loadConfig, type AppConfig } from '../config';
import { createLogger, type Logger } from '../lib/logger';

/** What every command gets: the validated configuration and the root logger, built lazily. */
export interface CliContext {
  config(): Readonly<AppConfig>;
  logger(): Logger;
  /** Human output (stdout). Logs go to stderr. */
  print(line?: string): void;
}

export function createCliContext(): CliContext {
  let config: Readonly<AppConfig> | undefined;
  let logger: Logger | undefined;
  const ctx: CliContext = {
    config: () => (config ??= loadConfig()),
    logger: () => (logger ??= createLogger(ctx.config().log)),
    print: (line = '') => process.stdout.write(`${line}\n`),
  };
  return ctx;
}
