import { q } from '../../migrations/schema-names';

/** Anything that runs SQL: a TypeORM DataSource, EntityManager or QueryRunner. */
export interface Queryable {
  // TypeORM's query() is typed `any`; callers narrow the rows they read.
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** `schema`.`contract_sync`, from a validated schema name. */
export function contractSyncTable(syncSchema: string): string {
  return `${q(syncSchema)}.\`contract_sync\``;
}

/** `changedRows`/`affectedRows` of an UPDATE through TypeORM's mysql driver (an OkPacket or `[rows, affected]`). */
export function affectedRows(result: unknown): number {
  if (Array.isArray(result) && typeof result[1] === 'number') return result[1];
  const packet = result as { affectedRows?: number } | null;
  return typeof packet?.affectedRows === 'number' ? packet.affectedRows : 0;
}

/** MariaDB error number of a driver error (TypeORM wraps it in `driverError`). */
export function sqlErrno(err: unknown): number | undefined {
  const e = err as { errno?: number; driverError?: { errno?: number } } | null;
  return e?.driverError?.errno ?? e?.errno;
}

/** Deadlock (1213) or lock wait timeout (1205): the statement can be retried as a whole. */
export function isLockConflict(err: unknown): boolean {
  const errno = sqlErrno(err);
  return errno === 1213 || errno === 1205;
}
