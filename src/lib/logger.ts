import winston from 'winston';
import type { LogConfig } from '../config/app-config';
import { redactValue, maskText } from './mask';

export type Logger = winston.Logger;

/** Masks personal data and removes secrets from every field and message before a line is written. */
const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'timestamp') continue;
    const value = info[key];
    info[key] = key === 'message' && typeof value === 'string' ? maskText(value) : redactValue(value, key);
  }
  return info;
});

/** Errors logged as fields keep name, message (masked), cause and stack. */
const errors = winston.format((info) => {
  for (const [key, value] of Object.entries(info)) {
    if (value instanceof Error) {
      // `class`, not `name`: a `name` field is masked as a person's name.
      info[key] = {
        class: value.name,
        message: value.message,
        ...(value.cause instanceof Error ? { cause: `${value.cause.name}: ${value.cause.message}` } : {}),
        stack: value.stack,
      };
    }
  }
  return info;
});

/**
 * The one winston root. Modules take `logger.child({ module })`; reconciles add `contractId`.
 * Messages are fixed text; values go in fields (STYLE rule 15).
 */
export function createLogger(options: LogConfig & { silent?: boolean; stream?: NodeJS.WritableStream }): Logger {
  const format =
    options.format === 'json'
      ? winston.format.combine(errors(), redact(), winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          errors(),
          redact(),
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          winston.format.printf(({ level, message, timestamp, module, ...rest }) => {
            const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
            return `${String(timestamp)} ${level.padEnd(5)} ${module ? `[${String(module)}] ` : ''}${String(message)}${fields}`;
          }),
        );
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] });
  return winston.createLogger({ level: options.level, format, transports: [transport], silent: options.silent ?? false });
}
