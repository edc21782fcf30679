import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../../lib/logger';

/** Routes kafkajs's own logs into the winston root (errors and warnings only by default). */
export function kafkaLogCreator(logger: Logger): logCreator {
  const log = logger.child({ module: 'kafkajs' });
  return () => ({ namespace, level, log: entry }) => {
    const { message, ...fields } = entry;
    const text = `kafkajs ${namespace}: ${String(message)}`;
    if (level === logLevel.ERROR) log.error(text, fields);
    else if (level === logLevel.WARN) log.warn(text, fields);
    else if (level === logLevel.INFO) log.debug(text, fields);
  };
}
