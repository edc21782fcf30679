import type { MigrationInterface, QueryRunner } from 'typeorm';
import { q, type SchemaNames } from './schema-names';

/**
 * When each periodic job (the daily verify resync) last ran, shared by every instance so the
 * job runs once per interval across the deployment, not once per process. Additive only.
 */
export function maintenanceRunsMigration(names: SchemaNames) {
  const s = q(names.syncSchema);
  return class MaintenanceRuns1764390000004 implements MigrationInterface {
    name = 'MaintenanceRuns1764390000004';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`CREATE TABLE IF NOT EXISTS ${s}.\`maintenance_runs\` (
        \`name\` varchar(64) NOT NULL,
        \`last_run_at\` datetime(3) NOT NULL,
        \`owner\` varchar(120) DEFAULT NULL,
        PRIMARY KEY (\`name\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE IF EXISTS ${s}.\`maintenance_runs\``);
    }
  };
}
