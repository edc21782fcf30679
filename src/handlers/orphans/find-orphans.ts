import { subscriptionExternalId } from '../domain/external-refs';
import { q } from '../../migrations/schema-names';
import type { IotPlatform } from '../ports/iot-platform';
import type { Queryable } from '../work-set/sql-helpers';

/** A platform subscription carrying this tenant's reference with no live contract in IXC behind it. */
export interface Orphan {
  contractId: number;
  epoch: number;
  subscriptionId: string;
  externalId: string;
  status: string;
  /** Its licences not yet revoked: cancelling the subscription revokes them. */
  liveLicences: string[];
  reason: 'contract deleted in IXC' | 'older epoch of a live contract';
}

/**
 * Contracts the project knows of (its sync rows and IXC's licence tab) with the highest epoch it
 * recorded, and whether IXC still has the contract. The platform has no list-all: what the
 * project recorded is where orphans can be looked for. Parameters: none.
 */
const KNOWN_CONTRACTS_SQL = (s: string) => `SELECT k.contract_id, MAX(k.epoch) AS epoch, MAX(c.id IS NOT NULL) AS in_ixc,
    MAX(EXISTS (SELECT 1 FROM ${s}.\`contract_sync\` t WHERE t.contract_id = k.contract_id AND (t.subscription_ref IS NOT NULL OR t.intent IS NOT NULL))) AS tracked FROM (
    SELECT contract_id, epoch FROM ${s}.\`contract_sync\`
    UNION ALL SELECT contract_id, epoch FROM ${s}.\`licence_sync\`
    UNION ALL SELECT id_contrato AS contract_id, 1 AS epoch FROM licencas_iot WHERE id_contrato > 0
  ) k LEFT JOIN cliente_contrato c ON c.id = k.contract_id
  GROUP BY k.contract_id ORDER BY k.contract_id`;
/** The epoch each live contract uses now. Parameters: none. */
const CURRENT_EPOCH_SQL = (s: string) => `SELECT contract_id, epoch FROM ${s}.\`contract_sync\``;

export interface FindOrphansOptions {
  tenantId: string;
  syncSchema: string;
  /** Stop after this many look-ups (the platform's allowance). @defaultValue 10000 */
  maxLookups?: number;
}

/**
 * Looks each known contract's subscriptions up by external reference, epoch by epoch: one that is
 * not cancelled is an orphan when IXC no longer has the contract and no sync row tracks it (deleted
 * while the worker was down longer than the topic keeps it, the project's rows restored from an
 * old backup: only IXC's licence tab remembers it), or when it belongs to an epoch older than the
 * one the contract uses now. Reads only.
 */
export async function findOrphans(db: Queryable, platform: IotPlatform, options: FindOrphansOptions): Promise<Orphan[]> {
  const s = q(options.syncSchema);
  const known = (await db.query(KNOWN_CONTRACTS_SQL(s))) as Array<{ contract_id: number | string; epoch: number | string; in_ixc: number | string; tracked: number | string }>;
  const current = new Map(((await db.query(CURRENT_EPOCH_SQL(s))) as Array<{ contract_id: number | string; epoch: number | string }>).map((r) => [Number(r.contract_id), Number(r.epoch)]));
  const maxLookups = options.maxLookups ?? 10_000;
  let lookups = 0;
  const orphans: Orphan[] = [];
  for (const row of known) {
    const contractId = Number(row.contract_id);
    const inIxc = Number(row.in_ixc) === 1;
    // A provisioned contract's current epoch is the daily verify resync's to repair (a deleted
    // contract is cancelled there, through the blast-radius guard); only what no reconcile revisits is an orphan.
    const tracked = Number(row.tracked) === 1;
    const currentEpoch = current.get(contractId) ?? 1;
    const epochs = Math.max(1, Number(row.epoch));
    for (let epoch = 1; epoch <= epochs; epoch += 1) {
      if ((inIxc || tracked) && epoch >= currentEpoch) continue;
      if (++lookups > maxLookups) return orphans;
      const externalId = subscriptionExternalId(options.tenantId, contractId, epoch);
      const sub = await platform.findSubscriptionByExternalId(externalId, { contractId });
      if (sub === null || sub.status === 'cancelled') continue;
      const licences = await platform.listLicences(sub.id, { contractId });
      orphans.push({
        contractId,
        epoch,
        subscriptionId: sub.id,
        externalId,
        status: sub.status,
        liveLicences: licences.filter((l) => l.status !== 'revoked').map((l) => l.id),
        reason: inIxc ? 'older epoch of a live contract' : 'contract deleted in IXC',
      });
    }
  }
  return orphans;
}

/** Revocations plus cancellations that cancelling these orphans makes (the blast-radius guard's count). */
export const orphanDestructive = (orphans: readonly Orphan[]): number => orphans.reduce((n, o) => n + o.liveLicences.length + 1, 0);

/** One line per orphan, as `status --orphans` and the daily resync's log show it. */
export function formatOrphan(o: Orphan): string {
  return `orphan subscription ${o.subscriptionId} (${o.externalId}, ${o.status}) with ${o.liveLicences.length} live licence(s): ${o.reason} (contract ${o.contractId})`;
}

/** Revokes the orphans' licences and cancels their subscriptions; returns what was done. */
export async function cancelOrphans(platform: IotPlatform, orphans: readonly Orphan[]): Promise<{ revoked: number; cancelled: number }> {
  let revoked = 0;
  let cancelled = 0;
  for (const o of orphans) {
    for (const id of o.liveLicences) {
      await platform.revokeLicence(id, { contractId: o.contractId });
      revoked += 1;
    }
    await platform.setSubscriptionStatus(o.subscriptionId, 'cancelled', 'other', { contractId: o.contractId });
    cancelled += 1;
  }
  return { revoked, cancelled };
}
