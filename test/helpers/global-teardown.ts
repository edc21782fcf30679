import type { Config } from '@jest/types';

/**
 * How long the run may take to end by itself after the last test file. Leaked sockets, servers and
 * child processes are already closed by the leak-checking environment (which failed their file); a
 * leaked timer cannot be found there, so this is the bound that keeps it from holding CI.
 */
const EXIT_GRACE_MS = 2_000;

/**
 * Runs once after all test files (services started for the run are stopped by .ci/run, not here).
 * Without `forceExit` a resource left open would keep Jest alive forever: if the process has not
 * ended `EXIT_GRACE_MS` after this, it names what is still open and exits as a failure.
 */
export default async function globalTeardown(globalConfig: Config.GlobalConfig): Promise<void> {
  // A watch run stays alive on purpose.
  if (globalConfig.watch || globalConfig.watchAll) return;
  // Unref'd: a run that ends by itself never waits for it.
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().join(', ');
    process.stderr.write(`\nJest was still running ${EXIT_GRACE_MS} ms after its last test file; open resources: ${open}\n`);
    process.exit(1);
  }, EXIT_GRACE_MS).unref();
}
