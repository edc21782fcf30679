import { ConfigError } from '../config/config-error';

/**
 * The CLI's exit codes, one table for every command (README "Exit codes", `--help`). Scripts and
 * systemd (`RestartPreventExitStatus=2`) rely on them: 2 means nothing was done and retrying
 * without changing the command line or the configuration cannot help.
 */
export const EXIT_CODES = {
  ok: 0,
  /** The command ran and something failed: a doctor check, contracts left unsettled, an incomplete redrive or replay, an unexpected error. */
  failure: 1,
  /** Usage or configuration: unknown command or option, bad argument, invalid setting. */
  usage: 2,
  /** `stack status`: the local CDC stack is not healthy. */
  stackUnhealthy: 3,
  /** An error nobody handled (unhandled rejection, uncaught exception): logged masked, then exit. */
  crash: 70,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = [
  'Exit codes:',
  `  ${EXIT_CODES.ok}    success`,
  `  ${EXIT_CODES.failure}    the command ran and something failed (doctor check, unsettled contracts, incomplete redrive/replay, unexpected error)`,
  `  ${EXIT_CODES.usage}    usage or configuration error (unknown command or option, bad argument, invalid setting): nothing was done`,
  `  ${EXIT_CODES.stackUnhealthy}    stack status: the local CDC stack is not healthy`,
  `  ${EXIT_CODES.crash}   crash: an error nobody handled, logged with secrets and personal data masked`,
  `  ${EXIT_CODES.interrupted}  interrupted (Ctrl-C)`,
].join('\n');

/** commander's codes for help and version output, which are not errors. */
const COMMANDER_INFO = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/** Usage errors of the CLI's own (beyond commander's): exit 2. */
export class CliUsageError extends Error {
  readonly exitCode = EXIT_CODES.usage;
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** The exit code for an error that ended a command. */
export function exitCodeFor(err: Error): number {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    return COMMANDER_INFO.has(code) ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  if (err instanceof ConfigError || err instanceof CliUsageError) return EXIT_CODES.usage;
  return EXIT_CODES.failure;
}
