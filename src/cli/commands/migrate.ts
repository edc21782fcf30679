import type { Command } from 'commander';
import { runMigrations } from '../../migrations/run-migrations';
import type { CliContext } from '../cli-context';

export function registerMigrateCommand(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description("Create IXC's IoT tables where absent and the project's own schema; safe to run repeatedly")
    .action(async () => {
      const { db } = ctx.config();
      const result = await runMigrations(db);
      ctx.print(
        result.applied.length === 0
          ? `Schema up to date (${db.ixcDatabase}, ${db.syncSchema}).`
          : `Applied ${result.applied.length} migration(s): ${result.applied.join(', ')}`,
      );
    });
}
