import checkSystemDatabase from './global-setup';
import { runMigrations } from '../../src/migrations/run-migrations';
import { cdcConfig, createCdcStack } from './cdc-stack';

/**
 * Runs once per `npm test` before the cdc project (integration/cdc and e2e): brings the local
 * CDC stack up when it is not running and reuses it when it is (`up` is idempotent). It is left
 * running afterwards; .ci/run stops it when it started it.
 */
export default async function cdcGlobalSetup(): Promise<void> {
  await checkSystemDatabase();
  const t0 = Date.now();
  const result = await createCdcStack((line) => process.stdout.write(`[stack] ${line}\n`)).up();
  // A freshly reset stack holds only IXC's fixture: give it IXC's IoT tables, as `migrate` would on a
  // real install, so no test depends on another having started a worker first.
  await runMigrations(cdcConfig().db);
  const what = result.started.length === 0 ? 'reused the running CDC stack' : `started ${result.started.join(', ')}`;
  process.stdout.write(`\n[stack] ${what} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
