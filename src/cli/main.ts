#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError } from '../config/config-error';
import { coerceError } from '../lib/coerce-error';
import { maskText } from '../lib/mask';
import { createCliContext } from './cli-context';
import { installProcessHandlers } from './process-handlers';
import { describeEnvironment } from './command-environment';
import { COMMANDS } from './commands';
import { EXIT_CODES_HELP, exitCodeFor } from './exit-codes';

/** Exit codes: EXIT_CODES (src/cli/exit-codes.ts), listed in `--help` and the README. */
async function main(argv: string[]): Promise<void> {
  const ctx = createCliContext();
  installProcessHandlers(() => {
    try {
      return ctx.logger();
    } catch {
      return undefined; // no valid configuration, no logger: the handler writes one masked line itself
    }
  });
  const program = new Command()
    .name('ixc-iot-sync')
    .description('Keeps the Olli IoT platform in step with IXCProvedor contracts (Debezium CDC → Kafka → reconcile)')
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', `\n${EXIT_CODES_HELP}`);
  for (const register of COMMANDS) register(program, ctx);
  describeEnvironment(program);
  await program.parseAsync(argv);
}

main(process.argv).catch((thrown: unknown) => {
  const err = coerceError(thrown);
  // commander has already printed its own message (and the help, for usage errors).
  if (!(err as { code?: string }).code?.startsWith('commander.')) {
    process.stderr.write(`${err instanceof ConfigError ? '' : 'Error: '}${maskText(err.message)}\n`);
  }
  process.exit(exitCodeFor(err));
});
