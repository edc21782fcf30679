import { q } from '../../migrations/schema-names';
import type { Queryable } from '../work-set/sql-helpers';

/** Licences recorded revoked within the window, across contracts. Parameters: (windowMs). */
const RECENT_REVOCATIONS_SQL = (s: string) => `SELECT COUNT(*) AS n FROM ${s}.\`license_sync\`
 WHERE status = 'revoked' AND updated_at > DATE_SUB(NOW(3), INTERVAL ? * 1000 MICROSECOND)`;

/** How many licences the worker revoked recently: the blast-radius guard's window count. */
export async function countRecentRevocations(db: Queryable, syncSchema: string, windowMs: number): Promise<number> {
  const rows = (await db.query(RECENT_REVOCATIONS_SQL(q(syncSchema)), [windowMs])) as Array<{ n: number | string }>;
  return Number(rows[0]?.n ?? 0);
}
