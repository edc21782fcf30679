import type { DataSource } from 'typeorm';
import { q } from '../migrations/schema-names';

export interface ApiAuditPurgeOptions {
  /** config.audit.retentionDays. @defaultValue 90 */
  retentionDays: number;
  /** config.audit.purgeBatchSize. @defaultValue 5000 */
  batchSize: number;
  /** Stop after this many batches (a bound per run). @defaultValue 1000 */
  maxBatches?: number;
}

/**
 * Deletes audit rows older than the retention, in batches so no long lock is held
 * (LGPD: personal data, even masked, is not kept longer than needed). Returns the rows deleted.
 * Parameters: retention days, batch size.
 */
const PURGE_SQL = (schema: string) =>
  `DELETE FROM ${q(schema)}.\`api_audit\` WHERE \`at\` < UTC_TIMESTAMP(3) - INTERVAL ? DAY ORDER BY \`id\` LIMIT ?`;

export async function purgeApiAudit(dataSource: DataSource, syncSchema: string, options: ApiAuditPurgeOptions): Promise<number> {
  const sql = PURGE_SQL(syncSchema);
  let total = 0;
  for (let batch = 0; batch < (options.maxBatches ?? 1000); batch += 1) {
    const result = (await dataSource.query(sql, [options.retentionDays, options.batchSize])) as { affectedRows?: number };
    const deleted = result.affectedRows ?? 0;
    total += deleted;
    if (deleted < options.batchSize) break;
  }
  return total;
}
