import { createHmac } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { q } from '../../migrations/schema-names';
import type { CallContext, CustomerInput, CustomerPatch, IotPlatform } from '../ports/iot-platform';
import { documentKey } from '../domain/document-key';
import { CustomerLockTimeoutError } from '../errors';
import { withNamedLock } from '../store/named-lock';
import type { Queryable } from '../work-set/sql-helpers';

export interface EnsureCustomerDeps {
  /** The pool, or the manager of an enclosing named lock (the customer lock then nests on its connection). */
  db: DataSource | EntityManager;
  syncSchema: string;
  /** Keys the customer lock's name (which never carries the document itself). */
  tenantId: string;
  platform: IotPlatform;
  /** How long to wait for another reconcile's find-or-create of the same document. */
  lockTimeoutSeconds: number;
}

/** Parameters: (document key). The freshest known platform customer for the document, with its fingerprint. */
const KNOWN_CUSTOMER_SQL = (s: string) => `SELECT customer_ref, fingerprint FROM ${s}.\`customer_sync\`
 WHERE document = ? AND customer_ref IS NOT NULL ORDER BY synced_at DESC LIMIT 1`;

function lockOptions(deps: EnsureCustomerDeps): CustomerLockOptions {
  return { syncSchema: deps.syncSchema, tenantId: deps.tenantId, timeoutSeconds: deps.lockTimeoutSeconds };
}

export function customerPatch(input: CustomerInput): CustomerPatch {
  const patch: CustomerPatch = { name: input.name };
  if (input.email !== undefined) patch.email = input.email;
  if (input.phone !== undefined) patch.phone = input.phone;
  if (input.address !== undefined) patch.address = input.address;
  return patch;
}

/**
 * Find-or-create under the document's named lock (DESIGN.md § Customer). Inside the lock the
 * project's own record is read first, so the second of two racing contracts reuses the first
 * one's customer without a call; the result is committed before the lock is released. A
 * customer found rather than created gets our data once (its fingerprint is then recorded).
 */
export async function ensureCustomer(
  deps: EnsureCustomerDeps,
  clienteId: number,
  input: CustomerInput,
  fingerprint: string,
  ctx: CallContext,
): Promise<{ ref: string; fingerprint: string | null; created: boolean }> {
  return withCustomerLock(deps.db, input.document, lockOptions(deps), async (manager) => {
    const [known] = (await manager.query(KNOWN_CUSTOMER_SQL(q(deps.syncSchema)), [documentKey(input.document)])) as Array<{
      customer_ref: string;
      fingerprint: string | null;
    }>;
    let ref: string;
    let sent: string | null;
    let created = false;
    if (known) {
      ref = known.customer_ref;
      sent = known.fingerprint;
    } else {
      const result = await deps.platform.findOrCreateCustomer(input, ctx);
      ref = result.value.id;
      created = result.created;
      sent = created ? fingerprint : null;
    }
    if (sent !== fingerprint) {
      await deps.platform.updateCustomer(ref, customerPatch(input), ctx);
      sent = fingerprint;
    }
    await saveCustomerSync(manager, deps.syncSchema, { clienteId, document: input.document, customerRef: ref, fingerprint: sent });
    return { ref, fingerprint: sent, created };
  });
}

/**
 * Sends changed customer data once per IXC customer, however many of its contracts reconcile at
 * the same time (DESIGN.md § Customer): under the document's lock the recorded fingerprint is
 * read again, and the call is skipped when another reconcile already sent this data. The new
 * fingerprint is committed before the lock is released.
 */
export async function updateCustomerOnce(
  deps: EnsureCustomerDeps,
  clienteId: number,
  ref: string,
  input: CustomerInput,
  fingerprint: string,
  ctx: CallContext,
): Promise<{ ref: string; fingerprint: string; sent: boolean }> {
  return withCustomerLock(deps.db, input.document, lockOptions(deps), async (manager) => {
    const [known] = (await manager.query(KNOWN_CUSTOMER_SQL(q(deps.syncSchema)), [documentKey(input.document)])) as Array<{
      customer_ref: string;
      fingerprint: string | null;
    }>;
    const sent = !(known?.customer_ref === ref && known.fingerprint === fingerprint);
    if (sent) await deps.platform.updateCustomer(ref, customerPatch(input), ctx);
    await saveCustomerSync(manager, deps.syncSchema, { clienteId, document: input.document, customerRef: ref, fingerprint });
    return { ref, fingerprint, sent };
  });
}

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
