import type { Queryable } from './work-set/sql-helpers';
import { originOf } from './plan/change-guard';
import { ORPHANS_ORIGIN } from './orphans/orphan-change';
import { confirmChange, findChange, heldChanges, parkedContractsOfChange } from './store/source-changes';

/** A change held by the blast-radius guard, as the CLI, the status page and the metrics show it. */
export interface HeldChange {
  id: string;
  /** `produtos row 12, transaction 0-1-345`. */
  origin: string;
  originTable: string;
  originRow: string | null;
  transaction: string | null;
  /** Revocations and cancellations the change would make. */
  destructive: number;
  /** Contracts parked on it now. */
  contracts: number;
  sample: number[];
  heldAt: string | null;
}

/** Changes held for an operator, oldest first. */
export async function listHeldChanges(db: Queryable, syncSchema: string): Promise<HeldChange[]> {
  const held = await heldChanges(db, syncSchema);
  const out: HeldChange[] = [];
  for (const c of held) {
    const orphans = c.originTable === ORPHANS_ORIGIN;
    const parked = orphans ? [] : await parkedContractsOfChange(db, syncSchema, c.id);
    out.push({
      id: c.id,
      origin: originOf(c),
      originTable: c.originTable,
      originRow: c.originRow,
      transaction: c.transactionId,
      destructive: c.destructive,
      contracts: orphans ? c.sample.length : parked.length,
      sample: c.sample,
      heldAt: c.heldAt === null ? null : new Date(c.heldAt).toISOString(),
    });
  }
  return out;
}

/** One line per held change: what the operator reads before confirming. */
export function formatHeldChange(c: HeldChange): string {
  const more = c.contracts > c.sample.length ? `, …` : '';
  if (c.originTable === ORPHANS_ORIGIN) {
    return `change ${c.id} HELD: cancelling orphans makes ${c.destructive} revocation(s)/cancellation(s); contracts ${c.sample.join(', ')}; release with "reconcile --orphans --confirm ${c.id}"`;
  }
  return (
    `change ${c.id} HELD: ${c.destructive} revocation(s)/cancellation(s) on ${c.contracts} contract(s) from ${c.origin}` +
    `; contracts ${c.sample.join(', ')}${more}; release with "reconcile --confirm ${c.id}"`
  );
}

export class UnknownChangeError extends Error {
  readonly exitCode = 2;
  constructor(id: string) {
    super(`No change ${id} is recorded (see "status" or "reconcile --dry-run" for held changes)`);
    this.name = 'UnknownChangeError';
  }
}

/** Confirms a held change and returns its contracts waiting for the operator (to be marked). */
export async function releaseChange(db: Queryable, syncSchema: string, id: string): Promise<number[]> {
  if (!/^\d+$/.test(id) || (await findChange(db, syncSchema, id)) === null) throw new UnknownChangeError(id);
  await confirmChange(db, syncSchema, id);
  return parkedContractsOfChange(db, syncSchema, id);
}

/** `reconcile --confirm` without a change: every held change. */
export function releaseAllChanges(db: Queryable, syncSchema: string): Promise<number> {
  return confirmChange(db, syncSchema, 'all');
}

/** The contracts a change parks now, for `reconcile --dry-run --confirm <change>`. */
export async function heldChangeContracts(db: Queryable, syncSchema: string, id: string): Promise<number[]> {
  if (!/^\d+$/.test(id) || (await findChange(db, syncSchema, id)) === null) throw new UnknownChangeError(id);
  return parkedContractsOfChange(db, syncSchema, id);
}
