import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** MariaDB lock names are at most 64 characters; long ones are hashed. */
export function namedLockName(syncSchema: string, what: string): string {
  const name = `${syncSchema}:${what}`;
  return name.length <= 64 ? name : `${syncSchema.slice(0, 20)}:${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}

/**
 * Runs `fn` under a MariaDB named lock held on one dedicated connection, so it is exclusive across
 * slots and instances; `timeoutError` is thrown when the lock is not free in time.
 */
export async function withNamedLock<T>(dataSource: DataSource, name: string, timeoutSeconds: number, timeoutError: () => Error, fn: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [row] = (await runner.query('SELECT GET_LOCK(?, ?) AS got', [name, timeoutSeconds])) as Array<{ got: number | null }>;
    if (Number(row?.got) !== 1) throw timeoutError();
    try {
      return await fn();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?) AS released', [name]);
    }
  } finally {
    await runner.release();
  }
}
