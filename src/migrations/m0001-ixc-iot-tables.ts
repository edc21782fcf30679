import type { MigrationInterface, QueryRunner } from 'typeorm';
import { q, type SchemaNames } from './schema-names';

/**
 * IXC's own IoT tables, created only where absent (older IXC versions, the test fixture), with
 * IXC's real names and columns. Existing tables and columns are never altered: a real IXC install
 * keeps its own definitions. The column types are ours (IXC's are unknown, see fixtures/ixc/README.md §6).
 */
export function ixcIotTablesMigration(names: SchemaNames) {
  const db = q(names.ixcDatabase);
  return class IxcIotTables1764390000001 implements MigrationInterface {
    name = 'IxcIotTables1764390000001';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`CREATE TABLE IF NOT EXISTS ${db}.\`integracoes_iot\` (
        \`id\` int(10) unsigned NOT NULL AUTO_INCREMENT,
        \`integracao\` varchar(100) DEFAULT NULL,
        \`client_id\` varchar(255) DEFAULT NULL,
        \`client_secret\` varchar(255) DEFAULT NULL,
        \`access_token\` text DEFAULT NULL,
        \`refresh_token\` text DEFAULT NULL,
        \`data_atualizacao_token\` datetime DEFAULT NULL,
        PRIMARY KEY (\`id\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
      await runner.query(`CREATE TABLE IF NOT EXISTS ${db}.\`licencas_iot\` (
        \`id\` int(10) unsigned NOT NULL AUTO_INCREMENT,
        \`id_contrato\` int(11) NOT NULL,
        \`id_integracao\` int(10) unsigned DEFAULT NULL,
        \`id_cliente_integracao\` varchar(120) DEFAULT NULL,
        \`id_assinatura_integracao\` varchar(120) DEFAULT NULL,
        \`id_licenca_integracao\` varchar(120) DEFAULT NULL,
        \`codigo_licenca_integracao\` varchar(255) DEFAULT NULL,
        \`descricao\` varchar(255) DEFAULT NULL,
        \`status\` enum('A','I','B','P') NOT NULL DEFAULT 'P',
        PRIMARY KEY (\`id\`),
        KEY \`idx_licencas_iot_contrato\` (\`id_contrato\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
      await runner.query(`CREATE TABLE IF NOT EXISTS ${db}.\`licencas_produtos_iot\` (
        \`id\` int(10) unsigned NOT NULL AUTO_INCREMENT,
        \`id_licenca_iot\` int(10) unsigned NOT NULL,
        \`id_vd_contrato_produto\` int(11) NOT NULL,
        \`quantidade\` int(11) NOT NULL DEFAULT 1,
        PRIMARY KEY (\`id\`),
        KEY \`idx_licencas_produtos_iot_licenca\` (\`id_licenca_iot\`),
        KEY \`idx_licencas_produtos_iot_linha\` (\`id_vd_contrato_produto\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);

      // produtos is IXC's table: add the IoT link columns only when this IXC version lacks them.
      const existing = (await runner.query(
        `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'produtos' AND COLUMN_NAME IN ('id_integracao_iot', 'id_produto_iot')`,
        [names.ixcDatabase],
      )) as Array<{ name: string }>;
      const have = new Set(existing.map((row) => row.name));
      if (!have.has('id_integracao_iot')) {
        await runner.query(`ALTER TABLE ${db}.\`produtos\` ADD COLUMN IF NOT EXISTS \`id_integracao_iot\` int(10) unsigned DEFAULT NULL`);
      }
      if (!have.has('id_produto_iot')) {
        await runner.query(`ALTER TABLE ${db}.\`produtos\` ADD COLUMN IF NOT EXISTS \`id_produto_iot\` varchar(120) DEFAULT NULL`);
      }
    }

    async down(): Promise<void> {
      // Never drop IXC tables: they may hold the ISP's data from before this project.
    }
  };
}
