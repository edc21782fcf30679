import type { Command } from 'commander';
import { redactValue } from '../../lib/mask';
import type { CliContext } from '../cli-context';

export function registerConfigCommand(program: Command, ctx: CliContext): void {
  program
    .command('config')
    .description('Validate the configuration from the environment and print it with secrets masked')
    .action(() => {
      ctx.print(JSON.stringify(redactValue(ctx.config()), null, 2));
    });
}
