import type { MigrationInterface, QueryRunner } from 'typeorm';
import { q, type SchemaNames } from './schema-names';

/**
 * The blast-radius guard's unit: one IXC change (a committed transaction, or a catalogue/plan row
 * fanning out) with the contracts it marked, whether it is held for an operator, and what it has
 * revoked so far. Each sync row points at the change that last marked it. Additive only.
 */
export function changeGuardMigration(names: SchemaNames) {
  const s = q(names.syncSchema);
  return class ChangeGuard1764390000007 implements MigrationInterface {
    name = 'ChangeGuard1764390000007';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`CREATE TABLE IF NOT EXISTS ${s}.\`source_change\` (
        \`id\` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
        \`change_key\` varchar(191) NOT NULL,
        \`origin_table\` varchar(64) NOT NULL,
        \`origin_row\` varchar(64) DEFAULT NULL,
        \`origin_rows\` int(11) NOT NULL DEFAULT 1,
        \`transaction_id\` varchar(120) DEFAULT NULL,
        \`contracts\` int(11) NOT NULL DEFAULT 0,
        \`status\` varchar(16) NOT NULL DEFAULT 'open',
        \`destructive\` int(11) NOT NULL DEFAULT 0,
        \`applied\` int(11) NOT NULL DEFAULT 0,
        \`sample\` text DEFAULT NULL,
        \`first_marked_at\` datetime(3) NOT NULL DEFAULT current_timestamp(3),
        \`last_marked_at\` datetime(3) NOT NULL DEFAULT current_timestamp(3),
        \`held_at\` datetime(3) DEFAULT NULL,
        \`confirmed_at\` datetime(3) DEFAULT NULL,
        PRIMARY KEY (\`id\`),
        UNIQUE KEY \`uq_source_change_key\` (\`change_key\`),
        KEY \`idx_source_change_status\` (\`status\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
      await runner.query(`ALTER TABLE ${s}.\`contract_sync\`
        ADD COLUMN IF NOT EXISTS \`change_id\` bigint(20) unsigned DEFAULT NULL,
        ADD KEY IF NOT EXISTS \`idx_contract_sync_change\` (\`change_id\`)`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${s}.\`contract_sync\` DROP KEY IF EXISTS \`idx_contract_sync_change\`, DROP COLUMN IF EXISTS \`change_id\``);
      await runner.query(`DROP TABLE IF EXISTS ${s}.\`source_change\``);
    }
  };
}
