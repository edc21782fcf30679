import { LeaseLostError } from '../errors';
import type { Intent } from '../plan/observed-state';
import type { Claim } from '../work-set/work-set-claim';
import { affectedRows, contractSyncTable, type Queryable } from '../work-set/sql-helpers';
import type { WorkSet } from '../work-set/work-set';

/**
 * Fenced by the lease in the statement itself: owner, token and expiry by the database clock.
 * Parameters: (intent JSON, contract_id, owner, token).
 */
const RECORD_INTENT_SQL = (t: string) => `UPDATE ${t} SET intent = ?
 WHERE contract_id = ? AND lease_owner = ? AND claim_token = ? AND lease_expires_at > NOW(3)`;

/**
 * Intent before effect (DESIGN.md § Decisions): the references about to be created are committed,
 * fenced by the lease, before the first create. A later reconcile that finds the intent without
 * ids looks the objects up by these references instead of trusting their absence. One autocommit
 * statement: a lost lease matches no row and nothing is written.
 */
export async function recordIntent(db: Queryable, workSet: WorkSet, claim: Claim, intent: Intent): Promise<void> {
  const result = await db.query(RECORD_INTENT_SQL(contractSyncTable(workSet.syncSchema)), [JSON.stringify(intent), claim.contractId, claim.owner, claim.token]);
  // mysql2 connects with FOUND_ROWS: a matched row counts even when the intent is unchanged.
  if (affectedRows(result) !== 1) throw new LeaseLostError(claim.contractId, 'lease lost before recording the intent');
}
