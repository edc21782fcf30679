import { EntitySchema } from 'typeorm';

/** Per-contract sync state: the durable work set row plus what was last provisioned. */
export interface ContractSyncRow {
  contractId: number;
  generation: string;
  dirty: number;
  priority: number;
  markedAt: Date | null;
  nextAttemptAt: Date;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  /** Fencing token: increases with every claim, so a stale lease holder can be told apart. */
  claimToken: string;
  claimedGeneration: string | null;
  attempts: number;
  parkedReason: string | null;
  parkedDetail: string | null;
  parkedAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  lastOutcome: string | null;
  lastReconciledAt: Date | null;
  /** Subscription epoch: bumped when a contract is reactivated after cancellation. */
  epoch: number;
  /** JSON intent record written before the first create (references to be used). */
  intent: string | null;
  customerRef: string | null;
  subscriptionRef: string | null;
  subscriptionExternalId: string | null;
  /** Subscription status last applied on the platform (pending|active|suspended|cancelled). */
  subscriptionStatus: string | null;
  /** The IXC customer whose platform customer holds the subscription (DESIGN.md § Ownership). */
  ownerClienteId: number | null;
  /** The key (src/handlers/domain/document-key.ts) of the document that customer was resolved from: another document is another platform owner. */
  ownerDocumentKey: string | null;
  /** The last change of owner as the plan said it ("ownership changed from cliente X to Y"). */
  ownerChange: string | null;
  /** Hash of the last desired state applied; an equal hash means nothing to do. */
  appliedHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Per-licence sync state, one row per licence epoch (a replacement adds a row): which platform
 * product an IXC `licencas_iot` row stands for.
 */
export interface LicenceSyncRow {
  contractId: number;
  platformProductId: string;
  epoch: number;
  licencaIotId: number | null;
  licenceRef: string | null;
  externalId: string | null;
  code: string | null;
  status: string | null;
  quantity: number;
  /** When the pending re-read last read this licence on the platform. */
  checkedAt: Date | null;
  updatedAt: Date;
}

/** Per-customer sync state: one find-or-create per IXC customer, data re-sent when its fingerprint changes. */
export interface CustomerSyncRow {
  clienteId: number;
  /** The key of the CPF/CNPJ (src/handlers/domain/document-key.ts), never the document itself. */
  documentKey: string | null;
  customerRef: string | null;
  fingerprint: string | null;
  syncedAt: Date | null;
}

/** One row per request to the IoT API, bodies redacted. */
export interface ApiAuditRow {
  id: string;
  at: Date;
  instance: string | null;
  contractId: number | null;
  method: string;
  path: string;
  endpoint: string | null;
  status: number | null;
  durationMs: number;
  attempt: number;
  idempotencyKey: string | null;
  requestBody: string | null;
  responseBody: string | null;
  error: string | null;
  requestId: string | null;
}

export interface SyncEntities {
  ContractSync: EntitySchema<ContractSyncRow>;
  LicenceSync: EntitySchema<LicenceSyncRow>;
  CustomerSync: EntitySchema<CustomerSyncRow>;
  ApiAudit: EntitySchema<ApiAuditRow>;
}

/**
 * The project's own tables live in a schema whose name is configured, so they are declared as
 * EntitySchemas built at start-up rather than decorated classes.
 */
export function createSyncEntities(syncSchema: string): SyncEntities {
  const ContractSync = new EntitySchema<ContractSyncRow>({
    name: 'ContractSync',
    tableName: 'contract_sync',
    database: syncSchema,
    synchronize: false,
    columns: {
      contractId: { name: 'contract_id', type: 'int', unsigned: true, primary: true },
      generation: { type: 'bigint', unsigned: true },
      dirty: { type: 'tinyint' },
      priority: { type: 'smallint' },
      markedAt: { name: 'marked_at', type: 'datetime', precision: 3, nullable: true },
      nextAttemptAt: { name: 'next_attempt_at', type: 'datetime', precision: 3 },
      leaseOwner: { name: 'lease_owner', type: 'varchar', length: 120, nullable: true },
      leaseExpiresAt: { name: 'lease_expires_at', type: 'datetime', precision: 3, nullable: true },
      claimToken: { name: 'claim_token', type: 'bigint', unsigned: true },
      claimedGeneration: { name: 'claimed_generation', type: 'bigint', unsigned: true, nullable: true },
      attempts: { type: 'int' },
      parkedReason: { name: 'parked_reason', type: 'varchar', length: 64, nullable: true },
      parkedDetail: { name: 'parked_detail', type: 'text', nullable: true },
      parkedAt: { name: 'parked_at', type: 'datetime', precision: 3, nullable: true },
      lastError: { name: 'last_error', type: 'text', nullable: true },
      lastErrorAt: { name: 'last_error_at', type: 'datetime', precision: 3, nullable: true },
      lastOutcome: { name: 'last_outcome', type: 'varchar', length: 32, nullable: true },
      lastReconciledAt: { name: 'last_reconciled_at', type: 'datetime', precision: 3, nullable: true },
      epoch: { type: 'int', unsigned: true },
      intent: { type: 'text', nullable: true },
      customerRef: { name: 'customer_ref', type: 'varchar', length: 120, nullable: true },
      subscriptionRef: { name: 'subscription_ref', type: 'varchar', length: 120, nullable: true },
      subscriptionExternalId: { name: 'subscription_external_id', type: 'varchar', length: 255, nullable: true },
      subscriptionStatus: { name: 'subscription_status', type: 'varchar', length: 16, nullable: true },
      ownerClienteId: { name: 'owner_cliente_id', type: 'int', unsigned: true, nullable: true },
      ownerDocumentKey: { name: 'owner_document', type: 'char', length: 64, nullable: true },
      ownerChange: { name: 'owner_change', type: 'varchar', length: 255, nullable: true },
      appliedHash: { name: 'applied_hash', type: 'char', length: 64, nullable: true },
      createdAt: { name: 'created_at', type: 'datetime', precision: 3 },
      updatedAt: { name: 'updated_at', type: 'datetime', precision: 3 },
    },
  });
  const LicenceSync = new EntitySchema<LicenceSyncRow>({
    name: 'LicenceSync',
    tableName: 'licence_sync',
    database: syncSchema,
    synchronize: false,
    columns: {
      contractId: { name: 'contract_id', type: 'int', unsigned: true, primary: true },
      platformProductId: { name: 'platform_product_id', type: 'varchar', length: 120, primary: true },
      epoch: { type: 'int', unsigned: true, primary: true },
      licencaIotId: { name: 'licenca_iot_id', type: 'int', unsigned: true, nullable: true },
      licenceRef: { name: 'licence_ref', type: 'varchar', length: 120, nullable: true },
      externalId: { name: 'external_id', type: 'varchar', length: 255, nullable: true },
      code: { type: 'varchar', length: 255, nullable: true },
      status: { type: 'varchar', length: 16, nullable: true },
      quantity: { type: 'int' },
      checkedAt: { name: 'checked_at', type: 'datetime', precision: 3, nullable: true },
      updatedAt: { name: 'updated_at', type: 'datetime', precision: 3 },
    },
  });
  const CustomerSync = new EntitySchema<CustomerSyncRow>({
    name: 'CustomerSync',
    tableName: 'customer_sync',
    database: syncSchema,
    synchronize: false,
    columns: {
      clienteId: { name: 'cliente_id', type: 'int', unsigned: true, primary: true },
      documentKey: { name: 'document', type: 'char', length: 64, nullable: true },
      customerRef: { name: 'customer_ref', type: 'varchar', length: 120, nullable: true },
      fingerprint: { type: 'char', length: 64, nullable: true },
      syncedAt: { name: 'synced_at', type: 'datetime', precision: 3, nullable: true },
    },
  });
  const ApiAudit = new EntitySchema<ApiAuditRow>({
    name: 'ApiAudit',
    tableName: 'api_audit',
    database: syncSchema,
    synchronize: false,
    columns: {
      id: { type: 'bigint', unsigned: true, primary: true, generated: 'increment' },
      at: { type: 'datetime', precision: 3 },
      instance: { type: 'varchar', length: 120, nullable: true },
      contractId: { name: 'contract_id', type: 'int', unsigned: true, nullable: true },
      method: { type: 'varchar', length: 8 },
      path: { type: 'varchar', length: 500 },
      endpoint: { type: 'varchar', length: 160, nullable: true },
      status: { type: 'smallint', nullable: true },
      durationMs: { name: 'duration_ms', type: 'int' },
      attempt: { type: 'smallint' },
      idempotencyKey: { name: 'idempotency_key', type: 'varchar', length: 400, nullable: true },
      requestBody: { name: 'request_body', type: 'mediumtext', nullable: true },
      responseBody: { name: 'response_body', type: 'mediumtext', nullable: true },
      error: { type: 'varchar', length: 1000, nullable: true },
      requestId: { name: 'request_id', type: 'varchar', length: 120, nullable: true },
    },
  });
  return { ContractSync, LicenceSync, CustomerSync, ApiAudit };
}
