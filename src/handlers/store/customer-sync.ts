import { createHmac } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { q } from '../../migrations/schema-names';
import { documentKey } from '../domain/document-key';
import { CustomerLockTimeoutError } from '../errors';
import type { Queryable } from '../work-set/sql-helpers';
import { withNamedLock } from './named-lock';

/** Parameters: (cliente_id, document key, customer_ref, fingerprint). A null fingerprint keeps the old one. */
const CUSTOMER_UPSERT_SQL = (s: string) => `INSERT INTO ${s}.\`customer_sync\` (cliente_id, document, customer_ref, fingerprint, synced_at)
VALUES (?, ?, ?, ?, NOW(3))
ON DUPLICATE KEY UPDATE document = VALUES(document), customer_ref = VALUES(customer_ref),
  fingerprint = COALESCE(VALUES(fingerprint), fingerprint), synced_at = NOW(3)`;

export interface CustomerSyncRecord {
  clienteId: number;
  /** The CPF/CNPJ; only its key (src/handlers/domain/document-key.ts) is stored. */
  document: string;
  customerRef: string;
  /** Null: data not (yet) sent; the old fingerprint is kept. */
  fingerprint: string | null;
}

export async function saveCustomerSync(db: Queryable, syncSchema: string, record: CustomerSyncRecord): Promise<void> {
  await db.query(CUSTOMER_UPSERT_SQL(q(syncSchema)), [record.clienteId, documentKey(record.document), record.customerRef, record.fingerprint]);
}

/**
 * The customer lock's name: one per document, without the document. A CPF/CNPJ in a lock name
 * shows in SHOW PROCESSLIST, the server's logs and lock tables; an HMAC keyed by the tenant (a
 * CPF's few digits are otherwise easy to brute-force from a plain hash) keeps it out. 62
 * characters at most (MariaDB allows 64).
 */
export function customerLockName(syncSchema: string, tenantId: string, document: string): string {
  const digest = createHmac('sha256', `ixc-iot-sync:customer-lock:${tenantId}`).update(`${syncSchema}:${document}`).digest('hex');
  return `${syncSchema.slice(0, 20)}:customer:${digest.slice(0, 32)}`;
}

export interface CustomerLockOptions {
  syncSchema: string;
  tenantId: string;
  timeoutSeconds: number;
}

/**
 * Runs `fn` under a MariaDB named lock on the document (DESIGN.md § Customer): across instances,
 * two contracts of one customer never both create it. `fn` runs on the lock's own connection
 * (nested on the enclosing lock's when `db` is one), held for the find-or-create only.
 */
export function withCustomerLock<T>(db: DataSource | EntityManager, document: string, options: CustomerLockOptions, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
  const name = customerLockName(options.syncSchema, options.tenantId, document);
  return withNamedLock(db, { name, timeoutSeconds: options.timeoutSeconds, timeoutError: () => new CustomerLockTimeoutError(name) }, fn);
}
