import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { startWorker } from '../worker/create-worker';

export function registerStartCommand(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('Run the worker: consume Debezium changes, reconcile contracts with the IoT platform, serve /health, /ready, /metrics and the status page')
    .option('--migrate', 'apply pending migrations first (needs DDL grants); default MIGRATE_ON_START, else refuse an outdated schema')
    .option('--no-migrate', 'never apply migrations at start, whatever MIGRATE_ON_START says')
    .option('--ops-port <port>', 'ops HTTP port (0 picks a free one); overrides OPS_PORT')
    .action(async (flags: { migrate?: boolean; opsPort?: string }) => {
      const config = ctx.config();
      const logger = ctx.logger();
      const worker = await startWorker(config, logger, {
        ...(flags.migrate !== undefined ? { migrate: flags.migrate } : {}),
        ...(flags.opsPort !== undefined ? { opsPort: Number(flags.opsPort) } : {}),
      });
      ctx.print(`worker ${worker.owner} running; ops on ${worker.opsUrl} (Ctrl-C stops gracefully, twice forces)`);
      await new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals): void => {
          signals += 1;
          if (signals > 1) {
            logger.warn('second signal: forcing exit', { signal });
            process.exit(130);
          }
          logger.info('signal received: stopping gracefully', { signal });
          worker.stop().then(resolve, (err: unknown) => {
            logger.error('graceful stop failed', { error: err });
            process.exitCode = 1;
            resolve();
          });
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
      // Everything was closed in order; exit now rather than wait for a stray library timer.
      process.exit();
    });
}
