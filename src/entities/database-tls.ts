import type { SslOptions } from 'mysql2';
import type { DatabaseConfig } from '../config/app-config';
import { readSetting } from '../lib/kafka-security';

/**
 * mysql2's `ssl` option from IXC_DB_TLS*, for TypeORM's pool and every mysql2 connection the app
 * opens. Verification (certificate chain and host name) is on unless IXC_DB_TLS_VERIFY=false.
 */
export function databaseSsl(db: Pick<DatabaseConfig, 'tls'>): SslOptions | undefined {
  if (!db.tls) return undefined;
  return {
    rejectUnauthorized: db.tls.verify,
    ...(db.tls.caFile !== undefined ? { ca: readSetting('IXC_DB_TLS_CA_FILE', db.tls.caFile) } : {}),
  };
}
