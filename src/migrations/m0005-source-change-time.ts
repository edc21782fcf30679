import type { MigrationInterface, QueryRunner } from 'typeorm';
import { q, type SchemaNames } from './schema-names';

/**
 * The oldest IXC change (Debezium `source.ts_ms`) a dirty contract's marks carry, cleared with the
 * mark: the reconcile that clears it reports the end-to-end latency from there. Additive only.
 */
export function sourceChangeTimeMigration(names: SchemaNames) {
  const s = q(names.syncSchema);
  return class SourceChangeTime1764390000005 implements MigrationInterface {
    name = 'SourceChangeTime1764390000005';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${s}.\`contract_sync\` ADD COLUMN IF NOT EXISTS \`source_ts_ms\` bigint DEFAULT NULL`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${s}.\`contract_sync\` DROP COLUMN IF EXISTS \`source_ts_ms\``);
    }
  };
}
