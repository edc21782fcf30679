import type { MigrationInterface, QueryRunner } from 'typeorm';
import { q, type SchemaNames } from './schema-names';

/**
 * Reconcile control on the work set: a verify request carried by the mark, the operator's
 * blast-radius confirmation, the last plan for `reconcile` and `status` output, and a heartbeat
 * per worker so the CLI knows whether a worker is running. Additive only.
 */
export function reconcileControlMigration(names: SchemaNames) {
  const s = q(names.syncSchema);
  return class ReconcileControl1764390000003 implements MigrationInterface {
    name = 'ReconcileControl1764390000003';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${s}.\`contract_sync\`
        ADD COLUMN IF NOT EXISTS \`verify_requested\` tinyint(1) NOT NULL DEFAULT 0,
        ADD COLUMN IF NOT EXISTS \`destructive_confirmed\` tinyint(1) NOT NULL DEFAULT 0,
        ADD COLUMN IF NOT EXISTS \`last_plan\` mediumtext DEFAULT NULL`);
      await runner.query(`CREATE TABLE IF NOT EXISTS ${s}.\`worker_heartbeat\` (
        \`owner\` varchar(120) NOT NULL,
        \`started_at\` datetime(3) NOT NULL DEFAULT current_timestamp(3),
        \`seen_at\` datetime(3) NOT NULL DEFAULT current_timestamp(3),
        PRIMARY KEY (\`owner\`),
        KEY \`idx_worker_heartbeat_seen\` (\`seen_at\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE IF EXISTS ${s}.\`worker_heartbeat\``);
      await runner.query(`ALTER TABLE ${s}.\`contract_sync\`
        DROP COLUMN IF EXISTS \`verify_requested\`,
        DROP COLUMN IF EXISTS \`destructive_confirmed\`,
        DROP COLUMN IF EXISTS \`last_plan\``);
    }
  };
}
