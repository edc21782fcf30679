import type { AppConfig } from '../config/app-config';
import type { ReconcileOptions } from './reconcile-contract';
import type { ReconcileSlotsOptions } from './reconcile-slots';
import type { WorkSetOptions } from './work-set/work-set';

/** Wait for another reconcile's find-or-create of the same document. */
export const DEFAULT_CUSTOMER_LOCK_TIMEOUT_S = 30;

export class ReconcileConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconcileConfigError';
  }
}

/** Options of the reconcile core from the validated configuration; the tenant id is required. */
export function reconcileOptionsFromConfig(config: Pick<AppConfig, 'iot' | 'reconcile' | 'db'>): {
  reconcile: ReconcileOptions;
  workSet: WorkSetOptions;
  slots: Omit<ReconcileSlotsOptions, 'reconcile'>;
} {
  const tenantId = config.iot.tenantId;
  if (tenantId === undefined) throw new ReconcileConfigError('IOT_TENANT_ID is required to reconcile (it is part of every external reference)');
  const r = config.reconcile;
  return {
    reconcile: {
      tenantId,
      integrationId: config.iot.integrationId,
      negativadoPolicy: r.negativadoPolicy,
      overduePolicy: r.overduePolicy,
      blastRadiusThreshold: r.blastRadiusThreshold,
      customerLockTimeoutSeconds: DEFAULT_CUSTOMER_LOCK_TIMEOUT_S,
    },
    workSet: { syncSchema: config.db.syncSchema, leaseMs: r.leaseMs },
    slots: {
      concurrency: r.concurrency,
      pollIntervalMs: r.pollIntervalMs,
      catchUpConcurrency: r.catchUpConcurrency,
      budgetMs: r.budgetMs,
      shutdownTimeoutMs: r.shutdownTimeoutMs,
      parkedRetryIntervalMs: r.parkedRetryIntervalMs,
      pendingLicenceRefreshIntervalMs: r.pendingLicenceRefreshIntervalMs,
      pendingLicenceRefreshBatch: r.pendingLicenceRefreshBatch,
    },
  };
}
