import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DOCUMENT_KEY_LABEL } from '../handlers/domain/document-key';
import { q, type SchemaNames } from './schema-names';

/**
 * Issue 14: no CPF/CNPJ in clear outside IXC's own tables. `customer_sync.document` and
 * `contract_sync.owner_document` keep the document's key (src/handlers/domain/document-key.ts)
 * instead: widened to 64 characters, and every row not already a key converted in SQL with the
 * same formula. Rerunning changes nothing. Not reversible (a key gives no document back): down
 * only narrows the columns again, after emptying them; the next reconcile records them again.
 */
export function documentKeysMigration(names: SchemaNames) {
  const s = q(names.syncSchema);
  const key = (column: string) => `LOWER(SHA2(CONCAT('${DOCUMENT_KEY_LABEL}', \`${column}\`), 256))`;
  const notKey = (column: string) => `\`${column}\` IS NOT NULL AND \`${column}\` NOT RLIKE '^[0-9a-f]{64}$'`;
  return class DocumentKeys1764390000008 implements MigrationInterface {
    name = 'DocumentKeys1764390000008';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${s}.\`customer_sync\` MODIFY COLUMN \`document\` char(64) DEFAULT NULL`);
      await runner.query(`ALTER TABLE ${s}.\`contract_sync\` MODIFY COLUMN \`owner_document\` char(64) DEFAULT NULL`);
      await runner.query(`UPDATE ${s}.\`customer_sync\` SET \`document\` = ${key('document')} WHERE ${notKey('document')}`);
      await runner.query(`UPDATE ${s}.\`contract_sync\` SET \`owner_document\` = ${key('owner_document')} WHERE ${notKey('owner_document')}`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`UPDATE ${s}.\`customer_sync\` SET \`document\` = NULL WHERE CHAR_LENGTH(\`document\`) > 14`);
      await runner.query(`UPDATE ${s}.\`contract_sync\` SET \`owner_document\` = NULL WHERE CHAR_LENGTH(\`owner_document\`) > 14`);
      await runner.query(`ALTER TABLE ${s}.\`customer_sync\` MODIFY COLUMN \`document\` varchar(14) DEFAULT NULL`);
      await runner.query(`ALTER TABLE ${s}.\`contract_sync\` MODIFY COLUMN \`owner_document\` varchar(14) DEFAULT NULL`);
    }
  };
}
