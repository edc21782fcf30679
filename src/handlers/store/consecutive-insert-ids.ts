import type { DataSource, EntityManager } from 'typeorm';

const known = new WeakMap<DataSource, Promise<boolean>>();

/**
 * Whether one multi-row INSERT gets consecutive AUTO_INCREMENT ids on this server, so TypeORM's
 * ids for it (the first id + the row's index) are right: InnoDB guarantees it for inserts whose
 * row count is known in advance under `innodb_autoinc_lock_mode` 0 or 1 (MariaDB's default), and
 * the step must be 1 (Galera and multi-source setups raise `auto_increment_increment`). Read once
 * per data source; on any doubt, false (one INSERT per row).
 */
export function consecutiveInsertIds(db: EntityManager): Promise<boolean> {
  const dataSource = db.connection;
  let answer = known.get(dataSource);
  if (answer === undefined) {
    answer = db
      .query('SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step')
      .then((rows: Array<{ mode: number | string | null; step: number | string | null }>) => {
        const row = rows[0];
        return row !== undefined && Number(row.mode) <= 1 && Number(row.step) === 1;
      })
      .catch(() => {
        known.delete(dataSource);
        return false;
      });
    known.set(dataSource, answer);
  }
  return answer;
}
