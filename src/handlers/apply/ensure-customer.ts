import type { DataSource, EntityManager } from 'typeorm';
import { q } from '../../migrations/schema-names';
import type { CallContext, CustomerInput, CustomerPatch, IotPlatform } from '../ports/iot-platform';
import { documentKey } from '../domain/document-key';
import { saveCustomerSync, withCustomerLock, type CustomerLockOptions } from '../store/customer-sync';

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
