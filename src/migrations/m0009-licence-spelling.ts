import type { MigrationInterface, QueryRunner } from 'typeorm';
import { q, type SchemaNames } from './schema-names';

/**
 * Issue 17: one spelling of the concept in the project's own names. The sync table, its
 * reference column and index, and the stored park reason say "licence"; IXC's `licencas_*` and
 * the platform's wire names (`/licenses`, `LICENSE_*`) are not ours and keep theirs. Renames only:
 * no row changes but the reason's text. Rerunning changes nothing; down restores the old names.
 */
export function licenceSpellingMigration(names: SchemaNames) {
  const s = q(names.syncSchema);
  return class LicenceSpelling1764390000009 implements MigrationInterface {
    name = 'LicenceSpelling1764390000009';

    async up(runner: QueryRunner): Promise<void> {
      await rename(runner, s, names.syncSchema, { table: ['license_sync', 'licence_sync'], column: ['license_ref', 'licence_ref'], index: ['idx_license_sync_status', 'idx_licence_sync_status'] });
      await runner.query(`UPDATE ${s}.\`contract_sync\` SET \`parked_reason\` = 'licence_limit' WHERE \`parked_reason\` = 'license_limit'`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`UPDATE ${s}.\`contract_sync\` SET \`parked_reason\` = 'license_limit' WHERE \`parked_reason\` = 'licence_limit'`);
      await rename(runner, s, names.syncSchema, { table: ['licence_sync', 'license_sync'], column: ['licence_ref', 'license_ref'], index: ['idx_licence_sync_status', 'idx_license_sync_status'] });
    }
  };
}

type Pair = [from: string, to: string];

/** Each step only when its old name is still there, so a rerun (or a half-done run) is a no-op. */
async function rename(runner: QueryRunner, s: string, schema: string, names: { table: Pair; column: Pair; index: Pair }): Promise<void> {
  const [fromTable, toTable] = names.table;
  const exists = async (table: string): Promise<boolean> =>
    ((await runner.query(`SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, [schema, table])) as unknown[]).length > 0;
  if (await exists(fromTable)) {
    if (!(await exists(toTable))) await runner.query(`RENAME TABLE ${s}.\`${fromTable}\` TO ${s}.\`${toTable}\``);
    else {
      // Both: earlier migrations were rerun after this one and recreated the old table empty.
      const [row] = (await runner.query(`SELECT COUNT(*) AS n FROM ${s}.\`${fromTable}\``)) as Array<{ n: string | number }>;
      if (Number(row?.n ?? 0) > 0) throw new Error(`Both ${schema}.${fromTable} and ${schema}.${toTable} hold rows; keep one and run migrate again.`);
      await runner.query(`DROP TABLE ${s}.\`${fromTable}\``);
    }
  }
  const [fromColumn, toColumn] = names.column;
  const columns = (await runner.query(`SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?`, [schema, toTable, fromColumn])) as unknown[];
  if (columns.length > 0) await runner.query(`ALTER TABLE ${s}.\`${toTable}\` RENAME COLUMN \`${fromColumn}\` TO \`${toColumn}\``);
  const [fromIndex, toIndex] = names.index;
  const indexes = (await runner.query(`SELECT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = ?`, [schema, toTable, fromIndex])) as unknown[];
  if (indexes.length > 0) await runner.query(`ALTER TABLE ${s}.\`${toTable}\` RENAME INDEX \`${fromIndex}\` TO \`${toIndex}\``);
}
