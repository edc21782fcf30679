import { coerceError } from '../lib/coerce-error';
import type { Logger } from '../lib/logger';
import { maskText } from '../lib/mask';
import { EXIT_CODES } from './exit-codes';

/** Exit code of a process that died of an error nobody handled. */
export const CRASH_EXIT_CODE = EXIT_CODES.crash;

/**
 * Replaces Node's default handling of an unhandled rejection or uncaught exception, which prints
 * the error with `util.inspect` (an HTTP library's error holds the request's Authorization header
 * and body). Logs the error's class, masked message and masked stack, then exits non-zero.
 */
export function installProcessHandlers(logger: () => Logger | undefined): void {
  let crashing = false;
  const crash = (kind: string) => (thrown: unknown) => {
    if (crashing) return;
    crashing = true;
    const err = coerceError(thrown);
    const error = { class: err.name, message: maskText(err.message), stack: maskText(err.stack ?? '') };
    try {
      const log = logger();
      if (log === undefined) throw new Error('no logger');
      log.error(`${kind}: exiting`, { error });
    } catch {
      process.stderr.write(`${JSON.stringify({ level: 'error', message: `${kind}: exiting`, error })}\n`);
    }
    process.exit(CRASH_EXIT_CODE);
  };
  process.on('unhandledRejection', crash('unhandled rejection'));
  process.on('uncaughtException', crash('uncaught exception'));
}
