/** Typed errors of the reconcile core (STYLE rule 6). */

export class ReconcileError extends Error {
  readonly retriable: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReconcileError';
  }
}

/** The lease was lost (expired, swept or taken over): nothing may be written back. */
export class LeaseLostError extends ReconcileError {
  readonly contractId: number;
  constructor(contractId: number, detail: string) {
    super(`Lease on contract ${contractId} lost: ${detail}`);
    this.name = 'LeaseLostError';
    this.contractId = contractId;
  }
}

/** The reconcile was aborted (shutdown, budget exhausted or a failed lease renewal). */
export class ReconcileAbortedError extends ReconcileError {
  override readonly retriable = true;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Reconcile aborted: ${reason}`, options);
    this.name = 'ReconcileAbortedError';
  }
}

/** The customer's named lock could not be taken in time (another reconcile holds it). */
export class CustomerLockTimeoutError extends ReconcileError {
  override readonly retriable = true;
  constructor(lockName: string) {
    super(`Timed out waiting for customer lock ${lockName}`);
    this.name = 'CustomerLockTimeoutError';
  }
}

/** The blast-radius lock could not be taken in time (other destructive reconciles hold it): retried. */
export class BlastRadiusLockTimeoutError extends ReconcileError {
  override readonly retriable = true;
  constructor(lockName: string) {
    super(`Timed out waiting for the blast-radius lock ${lockName}`);
    this.name = 'BlastRadiusLockTimeoutError';
  }
}

export function isLeaseLost(err: unknown): err is LeaseLostError {
  return err instanceof LeaseLostError;
}

/** The contract's IXC change is still arriving (a transaction spread over fetches): judged once it is complete. */
export class ChangeSettlingError extends ReconcileError {
  override readonly retriable = true;
  constructor(changeId: string) {
    super(`Change ${changeId} is still being marked; the blast-radius guard judges it once complete`);
    this.name = 'ChangeSettlingError';
  }
}
