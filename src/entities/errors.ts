/** Typed errors of the database layer (STYLE rule 6). */

/**
 * No pooled connection came free in time. The pool is too small for what runs at once, or
 * connections are held by something stuck: the waiter fails (and is retried by its caller)
 * instead of waiting for ever.
 */
export class PoolWaitTimeoutError extends Error {
  readonly retriable = true;
  readonly waitedMs: number;
  readonly poolSize: number;

  constructor(waitedMs: number, poolSize: number) {
    super(`No database connection free after ${waitedMs} ms (IXC_DB_POOL_SIZE=${poolSize}; raise it or IXC_DB_POOL_WAIT_MS)`);
    this.name = 'PoolWaitTimeoutError';
    this.waitedMs = waitedMs;
    this.poolSize = poolSize;
  }
}

export function isPoolWaitTimeout(err: unknown): err is PoolWaitTimeoutError {
  return err instanceof PoolWaitTimeoutError;
}
