import type { MigrationInterface, QueryRunner } from 'typeorm';
import { q, type SchemaNames } from './schema-names';

/**
 * DESIGN.md § Ownership and § The tab. `contract_sync` records whose platform customer holds the
 * subscription (the IXC customer and the document it was resolved from), so a contract moved to
 * another customer, or a corrected CPF/CNPJ, is seen as an ownership change, and the last such
 * change as `status --contract` prints it. `license_sync` keeps
 * one row per licence epoch instead of one per product: a replaced licence keeps its record; and
 * when each pending licence was last read on the platform.
 */
export function ownershipAndLicenceHistoryMigration(names: SchemaNames) {
  const s = q(names.syncSchema);
  return class OwnershipAndLicenceHistory1764390000006 implements MigrationInterface {
    name = 'OwnershipAndLicenceHistory1764390000006';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${s}.\`contract_sync\`
        ADD COLUMN IF NOT EXISTS \`owner_cliente_id\` int(10) unsigned DEFAULT NULL,
        ADD COLUMN IF NOT EXISTS \`owner_document\` varchar(14) DEFAULT NULL,
        ADD COLUMN IF NOT EXISTS \`owner_change\` varchar(255) DEFAULT NULL`);
      // Existing subscriptions: their owner is the IXC customer recorded with their platform customer.
      await runner.query(`UPDATE ${s}.\`contract_sync\` c
        JOIN (SELECT customer_ref, MIN(cliente_id) AS cliente_id, MIN(document) AS document FROM ${s}.\`customer_sync\`
               WHERE customer_ref IS NOT NULL GROUP BY customer_ref) cs ON cs.customer_ref = c.customer_ref
         SET c.owner_cliente_id = cs.cliente_id, c.owner_document = cs.document
       WHERE c.owner_document IS NULL AND c.subscription_ref IS NOT NULL`);
      const [pk] = (await runner.query(
        `SELECT COUNT(*) AS n FROM information_schema.KEY_COLUMN_USAGE
          WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'license_sync' AND CONSTRAINT_NAME = 'PRIMARY' AND COLUMN_NAME = 'epoch'`,
        [names.syncSchema],
      )) as Array<{ n: number | string }>;
      if (Number(pk?.n) === 0) {
        await runner.query(`ALTER TABLE ${s}.\`license_sync\` DROP PRIMARY KEY, ADD PRIMARY KEY (\`contract_id\`, \`platform_product_id\`, \`epoch\`)`);
      }
      // When a pending licence was last read on the platform (the pending re-read goes oldest first).
      await runner.query(`ALTER TABLE ${s}.\`license_sync\` ADD COLUMN IF NOT EXISTS \`checked_at\` datetime(3) DEFAULT NULL`);
      await runner.query(`CREATE INDEX IF NOT EXISTS \`idx_license_sync_status\` ON ${s}.\`license_sync\` (\`status\`, \`checked_at\`)`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP INDEX IF EXISTS \`idx_license_sync_status\` ON ${s}.\`license_sync\``);
      await runner.query(`ALTER TABLE ${s}.\`license_sync\` DROP COLUMN IF EXISTS \`checked_at\``);
      // Only the newest epoch of each licence survives the narrower key.
      await runner.query(`DELETE old FROM ${s}.\`license_sync\` old JOIN ${s}.\`license_sync\` newer
        ON newer.contract_id = old.contract_id AND newer.platform_product_id = old.platform_product_id AND newer.epoch > old.epoch`);
      await runner.query(`ALTER TABLE ${s}.\`license_sync\` DROP PRIMARY KEY, ADD PRIMARY KEY (\`contract_id\`, \`platform_product_id\`)`);
      await runner.query(`ALTER TABLE ${s}.\`contract_sync\` DROP COLUMN IF EXISTS \`owner_change\`, DROP COLUMN IF EXISTS \`owner_document\`, DROP COLUMN IF EXISTS \`owner_cliente_id\``);
    }
  };
}
