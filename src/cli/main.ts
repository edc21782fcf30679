#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError } from '../config';
import { coerceError } from '../lib/coerce-error';
import { maskText } from '../lib/mask';
import { createCliContext } from './cli-context';
import { installProcessHandlers } from './process-handlers';
import { COMMANDS } from './commands';

/** Exit codes: 0 ok, 1 failure, 2 bad usage or configuration. */
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
    .exitOverride();
  for (const register of COMMANDS) register(program, ctx);
  await program.parseAsync(argv);
}

main(process.argv).catch((thrown: unknown) => {
  const err = coerceError(thrown);
  if ((err as { code?: string }).code?.startsWith('commander.')) {
    const code = (err as { exitCode?: number }).exitCode ?? 2;
    process.exit(code);
  }
  process.stderr.write(`${err instanceof ConfigError ? '' : 'Error: '}${maskText(err.message)}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
