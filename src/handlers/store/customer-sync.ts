import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { q } from '../../migrations/schema-names';
import { CustomerLockTimeoutError } from '../errors';
import type { Queryable } from '../work-set/sql-helpers';

/** Parameters: (document). */
const CUSTOMER_BY_DOCUMENT_SQL = (s: string) => `SELECT customer_ref FROM ${s}.\`customer_sync\`
 WHERE document = ? AND customer_ref IS NOT NULL ORDER BY synced_at DESC LIMIT 1`;
/** Parameters: (cliente_id, document, customer_ref, fingerprint). A null fingerprint keeps the old one. */
const CUSTOMER_UPSERT_SQL = (s: string) => `INSERT INTO ${s}.\`customer_sync\` (cliente_id, document, customer_ref, fingerprint, synced_at)
VALUES (?, ?, ?, ?, NOW(3))
ON DUPLICATE KEY UPDATE document = VALUES(document), customer_ref = VALUES(customer_ref),
  fingerprint = COALESCE(VALUES(fingerprint), fingerprint), synced_at = NOW(3)`;
/** Parameters: (name, timeoutSeconds). */
const GET_LOCK_SQL = 'SELECT GET_LOCK(?, ?) AS got';
/** Parameters: (name). */
const RELEASE_LOCK_SQL = 'SELECT RELEASE_LOCK(?) AS released';

export interface CustomerSyncRecord {
  clienteId: number;
  document: string;
  customerRef: string;
  /** Null: data not (yet) sent; the old fingerprint is kept. */
  fingerprint: string | null;
}

/** A platform customer already known for this document (another IXC customer with the same CPF/CNPJ included). */
export async function findCustomerRefByDocument(db: Queryable, syncSchema: string, document: string): Promise<string | null> {
  const rows = (await db.query(CUSTOMER_BY_DOCUMENT_SQL(q(syncSchema)), [document])) as Array<{ customer_ref: string }>;
  return rows[0]?.customer_ref ?? null;
}

export async function saveCustomerSync(db: Queryable, syncSchema: string, record: CustomerSyncRecord): Promise<void> {
  await db.query(CUSTOMER_UPSERT_SQL(q(syncSchema)), [record.clienteId, record.document, record.customerRef, record.fingerprint]);
}

/** MariaDB lock names are at most 64 characters; long ones are hashed. */
export function customerLockName(syncSchema: string, document: string): string {
  const name = `${syncSchema}:customer:${document}`;
  return name.length <= 64 ? name : `${syncSchema.slice(0, 20)}:customer:${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
}

/**
 * Runs `fn` under a MariaDB named lock on the document (DESIGN.md § Customer): across instances,
 * two contracts of one customer never both create it. The lock lives on one dedicated
 * connection, held for the find-or-create only.
 */
export async function withCustomerLock<T>(dataSource: DataSource, syncSchema: string, document: string, timeoutSeconds: number, fn: () => Promise<T>): Promise<T> {
  const name = customerLockName(syncSchema, document);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [row] = (await runner.query(GET_LOCK_SQL, [name, timeoutSeconds])) as Array<{ got: number | null }>;
    if (Number(row?.got) !== 1) throw new CustomerLockTimeoutError(name);
    try {
      return await fn();
    } finally {
      await runner.query(RELEASE_LOCK_SQL, [name]);
    }
  } finally {
    await runner.release();
  }
}
