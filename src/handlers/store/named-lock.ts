import { createHash } from 'node:crypto';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** Parameters: (name, timeoutSeconds). 1 taken, 0 timed out, NULL error. */
const GET_LOCK_SQL = 'SELECT GET_LOCK(?, ?) AS got';
/** Parameters: (name). 1 released, 0 held by another connection, NULL no such lock. */
const RELEASE_LOCK_SQL = 'SELECT RELEASE_LOCK(?) AS released';

/** MariaDB lock names are at most 64 characters; long ones are hashed. */
export function namedLockName(syncSchema: string, what: string): string {
  const name = `${syncSchema}:${what}`;
  return name.length <= 64 ? name : `${syncSchema.slice(0, 20)}:${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}

export interface NamedLock {
  name: string;
  /** GET_LOCK's wait. */
  timeoutSeconds: number;
  /** Thrown when the lock is not free in time. */
  timeoutError: () => Error;
}

/** Lock connections whose nested release failed: the outermost holder destroys them. */
const tainted = new WeakSet<QueryRunner>();

/**
 * Runs `fn` under a MariaDB named lock, exclusive across slots and instances. The lock lives on
 * one connection and `fn` gets an EntityManager bound to that same connection: every query under
 * the lock runs there, so a holder never waits on the pool for a second connection (with every
 * slot holding a lock and waiting for another connection, the pool deadlocked for ever).
 *
 * Given a lock's manager (`db` of an enclosing `withNamedLock`), the lock nests on that
 * connection: a slot holds one connection however deep its locks go.
 *
 * MariaDB locks belong to the connection: when RELEASE_LOCK fails, the connection is destroyed
 * rather than handed back to the pool with the lock still held.
 */
export async function withNamedLock<T>(db: DataSource | EntityManager, lock: NamedLock, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
  const enclosing = lockRunner(db);
  const runner = enclosing ?? ('createQueryRunner' in db ? db : db.connection).createQueryRunner();
  let releaseFailed = false;
  try {
    let got: unknown;
    try {
      const rows = (await runner.query(GET_LOCK_SQL, [lock.name, lock.timeoutSeconds])) as Array<{ got: number | null }>;
      got = rows[0]?.got;
    } catch (thrown) {
      // The statement may have taken the lock before failing: the connection is not reusable.
      releaseFailed = true;
      throw thrown;
    }
    if (Number(got) !== 1) throw lock.timeoutError();
    try {
      return await fn(runner.manager);
    } finally {
      // A failed release is not the caller's failure: the work is done, and destroying the
      // connection (below) is what frees the lock.
      releaseFailed = !(await runner.query(RELEASE_LOCK_SQL, [lock.name]).then(
        () => true,
        () => false,
      ));
    }
  } finally {
    if (enclosing) {
      if (releaseFailed) tainted.add(runner);
    } else if (releaseFailed || tainted.has(runner)) {
      destroyConnection(runner);
    } else {
      await runner.release();
    }
  }
}

/** The query runner of a lock's manager (nesting), or undefined for a DataSource or a pool-bound manager. */
function lockRunner(db: DataSource | EntityManager): QueryRunner | undefined {
  const runner = 'queryRunner' in db ? db.queryRunner : undefined;
  return runner && !runner.isReleased ? runner : undefined;
}

/** Closes the pooled connection under a runner (mysql2 then removes it from the pool) and marks the runner released. */
function destroyConnection(runner: QueryRunner): void {
  const connection = (runner as QueryRunner & { databaseConnection?: { destroy?: () => void } }).databaseConnection;
  connection?.destroy?.();
  // mysql2 ignores release() on a connection already out of its pool; TypeORM marks the runner released.
  void runner.release();
}
