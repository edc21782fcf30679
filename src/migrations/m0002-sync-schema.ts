import type { MigrationInterface, QueryRunner } from 'typeorm';
import { q, type SchemaNames } from './schema-names';

/** The project's own tables in its own schema: work set and sync state, licences, customers, audit. */
export function syncSchemaMigration(names: SchemaNames) {
  const s = q(names.syncSchema);
  return class SyncSchema1764390000002 implements MigrationInterface {
    name = 'SyncSchema1764390000002';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`CREATE TABLE IF NOT EXISTS ${s}.\`contract_sync\` (
        \`contract_id\` int(10) unsigned NOT NULL,
        \`generation\` bigint(20) unsigned NOT NULL DEFAULT 0,
        \`dirty\` tinyint(1) NOT NULL DEFAULT 1,
        \`priority\` smallint(6) NOT NULL DEFAULT 0,
        \`marked_at\` datetime(3) DEFAULT NULL,
        \`next_attempt_at\` datetime(3) NOT NULL DEFAULT current_timestamp(3),
        \`lease_owner\` varchar(120) DEFAULT NULL,
        \`lease_expires_at\` datetime(3) DEFAULT NULL,
        \`claim_token\` bigint(20) unsigned NOT NULL DEFAULT 0,
        \`claimed_generation\` bigint(20) unsigned DEFAULT NULL,
        \`attempts\` int(11) NOT NULL DEFAULT 0,
        \`parked_reason\` varchar(64) DEFAULT NULL,
        \`parked_detail\` text DEFAULT NULL,
        \`parked_at\` datetime(3) DEFAULT NULL,
        \`last_error\` text DEFAULT NULL,
        \`last_error_at\` datetime(3) DEFAULT NULL,
        \`last_outcome\` varchar(32) DEFAULT NULL,
        \`last_reconciled_at\` datetime(3) DEFAULT NULL,
        \`epoch\` int(10) unsigned NOT NULL DEFAULT 1,
        \`intent\` text DEFAULT NULL,
        \`customer_ref\` varchar(120) DEFAULT NULL,
        \`subscription_ref\` varchar(120) DEFAULT NULL,
        \`subscription_external_id\` varchar(255) DEFAULT NULL,
        \`subscription_status\` varchar(16) DEFAULT NULL,
        \`applied_hash\` char(64) DEFAULT NULL,
        \`created_at\` datetime(3) NOT NULL DEFAULT current_timestamp(3),
        \`updated_at\` datetime(3) NOT NULL DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3),
        PRIMARY KEY (\`contract_id\`),
        KEY \`idx_contract_sync_claim\` (\`dirty\`, \`next_attempt_at\`),
        KEY \`idx_contract_sync_lease\` (\`lease_expires_at\`),
        KEY \`idx_contract_sync_parked\` (\`parked_reason\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
      await runner.query(`CREATE TABLE IF NOT EXISTS ${s}.\`license_sync\` (
        \`contract_id\` int(10) unsigned NOT NULL,
        \`platform_product_id\` varchar(120) NOT NULL,
        \`epoch\` int(10) unsigned NOT NULL DEFAULT 1,
        \`licenca_iot_id\` int(10) unsigned DEFAULT NULL,
        \`license_ref\` varchar(120) DEFAULT NULL,
        \`external_id\` varchar(255) DEFAULT NULL,
        \`code\` varchar(255) DEFAULT NULL,
        \`status\` varchar(16) DEFAULT NULL,
        \`quantity\` int(11) NOT NULL DEFAULT 0,
        \`updated_at\` datetime(3) NOT NULL DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3),
        PRIMARY KEY (\`contract_id\`, \`platform_product_id\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
      await runner.query(`CREATE TABLE IF NOT EXISTS ${s}.\`customer_sync\` (
        \`cliente_id\` int(10) unsigned NOT NULL,
        \`document\` varchar(14) DEFAULT NULL,
        \`customer_ref\` varchar(120) DEFAULT NULL,
        \`fingerprint\` char(64) DEFAULT NULL,
        \`synced_at\` datetime(3) DEFAULT NULL,
        PRIMARY KEY (\`cliente_id\`),
        KEY \`idx_customer_sync_document\` (\`document\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
      await runner.query(`CREATE TABLE IF NOT EXISTS ${s}.\`api_audit\` (
        \`id\` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
        \`at\` datetime(3) NOT NULL,
        \`instance\` varchar(120) DEFAULT NULL,
        \`contract_id\` int(10) unsigned DEFAULT NULL,
        \`method\` varchar(8) NOT NULL,
        \`path\` varchar(500) NOT NULL,
        \`endpoint\` varchar(160) DEFAULT NULL,
        \`status\` smallint(6) DEFAULT NULL,
        \`duration_ms\` int(11) NOT NULL,
        \`attempt\` smallint(6) NOT NULL DEFAULT 1,
        \`idempotency_key\` varchar(400) DEFAULT NULL,
        \`request_body\` mediumtext DEFAULT NULL,
        \`response_body\` mediumtext DEFAULT NULL,
        \`error\` varchar(1000) DEFAULT NULL,
        \`request_id\` varchar(120) DEFAULT NULL,
        PRIMARY KEY (\`id\`),
        KEY \`idx_api_audit_at\` (\`at\`),
        KEY \`idx_api_audit_contract\` (\`contract_id\`, \`at\`)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    }

    async down(runner: QueryRunner): Promise<void> {
      for (const table of ['api_audit', 'customer_sync', 'license_sync', 'contract_sync']) {
        await runner.query(`DROP TABLE IF EXISTS ${s}.\`${table}\``);
      }
    }
  };
}
