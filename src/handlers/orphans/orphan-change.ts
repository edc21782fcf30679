import { createHash } from 'node:crypto';
import { q } from '../../migrations/schema-names';
import { HELD_SAMPLE_SIZE } from '../plan/change-guard';
import { confirmChange, findChange } from '../store/source-changes';
import type { Queryable } from '../work-set/sql-helpers';
import { orphanDestructive, type Orphan } from './find-orphans';

/** `source_change.origin_table` of an orphan clean-up: a held change with no contract parked on it. */
export const ORPHANS_ORIGIN = 'platform orphans';

export type OrphanGuard = { kind: 'cancel' } | { kind: 'held'; changeId: string; destructive: number };

/** Parameters: (key, rows, destructive, sample). */
const HOLD_ORPHANS_SQL = (s: string) => `INSERT INTO ${s}.\`source_change\` (change_key, origin_table, origin_rows, status, destructive, sample, held_at)
VALUES (?, '${ORPHANS_ORIGIN}', ?, 'held', ?, ?, NOW(3))
ON DUPLICATE KEY UPDATE last_marked_at = NOW(3)`;
/** Parameters: (key). */
const ID_SQL = (s: string) => `SELECT id FROM ${s}.\`source_change\` WHERE change_key = ?`;

/**
 * The blast-radius guard for cancelling orphans: the whole set is one change. Within the threshold
 * it is cancelled at once; above it, it is held as a change (the same orphans, the same change)
 * until the operator names it: `reconcile --orphans --confirm <change>`.
 */
export async function guardOrphans(db: Queryable, syncSchema: string, orphans: readonly Orphan[], threshold: number, confirmedChange: string | null): Promise<OrphanGuard> {
  const destructive = orphanDestructive(orphans);
  if (destructive <= threshold) return { kind: 'cancel' };
  const s = q(syncSchema);
  const key = `orphans:${createHash('sha256').update(orphans.map((o) => o.subscriptionId).sort().join(',')).digest('hex').slice(0, 40)}`;
  const sample = [...new Set(orphans.map((o) => o.contractId))].slice(0, HELD_SAMPLE_SIZE);
  await db.query(HOLD_ORPHANS_SQL(s), [key, orphans.length, destructive, JSON.stringify(sample)]);
  const [row] = (await db.query(ID_SQL(s), [key])) as Array<{ id: string | number }>;
  const changeId = String(row?.id);
  const change = await findChange(db, syncSchema, changeId);
  if (change?.status === 'confirmed' || (confirmedChange !== null && confirmedChange === changeId)) {
    await confirmChange(db, syncSchema, changeId);
    return { kind: 'cancel' };
  }
  return { kind: 'held', changeId, destructive };
}
