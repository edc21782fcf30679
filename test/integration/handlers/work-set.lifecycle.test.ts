import 'reflect-metadata';
import { createAppDataSource } from '../../../src/entities/create-data-source';
import { LeaseLostError } from '../../../src/handlers/errors';
import { createWorkSet, type WorkSet } from '../../../src/handlers/work-set/work-set';
import type { Claim } from '../../../src/handlers/work-set/work-set-claim';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database';
import { waitFor } from '../../helpers/wait-for';
import type { DataSource } from 'typeorm';

interface Row {
  contract_id: number;
  generation: string;
  dirty: number;
  priority: number;
  marked_at: string | null;
  attempts: number;
  parked_reason: string | null;
  lease_owner: string | null;
  next_attempt_at: string;
  verify_requested: number;
  last_error: string | null;
}


// Real processes and HTTP round trips: jest's 5 s default is too short (testTimeout is not per project).
jest.setTimeout(120_000);
describe('work set on MariaDB', () => {
  let t: TestDatabase;
  let ds: DataSource;
  let ws: WorkSet;
  const row = async (id: number): Promise<Row> => {
    const [rows] = await t.admin.query(`SELECT *, CAST(generation AS CHAR) AS generation FROM \`${t.db.syncSchema}\`.contract_sync WHERE contract_id = ?`, [id]);
    return (rows as Row[])[0] as Row;
  };

  /** Waits until the row's lease has run out by the database clock. */
  const leaseExpired = (id: number) =>
    waitFor(async () => {
      const [r] = await t.admin.query(`SELECT lease_expires_at <= NOW(3) AS gone FROM \`${t.db.syncSchema}\`.contract_sync WHERE contract_id = ?`, [id]);
      return Number((r as Array<{ gone: number }>)[0]?.gone) === 1;
    });

  beforeAll(async () => {
    t = await createTestDatabase();
    await runMigrations(t.db);
    ds = createAppDataSource(t.db).dataSource;
    await ds.initialize();
    ws = createWorkSet(ds, { syncSchema: t.db.syncSchema, leaseMs: 60_000, backoffBaseMs: 1000 });
  });
  afterAll(async () => {
    await ds.destroy();
    await t.drop();
  });
  beforeEach(async () => {
    await t.admin.query(`DELETE FROM \`${t.db.syncSchema}\`.contract_sync`);
  });

  it('mark: upsert bumps the generation, keeps the higher priority and the first mark time while dirty', async () => {
    expect(await ws.mark([{ contractId: 2, priority: 10 }, { contractId: 1, priority: 100 }, { contractId: 1, priority: 5 }])).toBe(2);
    const first = await row(1);
    expect(first).toMatchObject({ generation: '1', dirty: 1, priority: 100 });
    await ws.mark([{ contractId: 1, priority: 50 }]);
    const second = await row(1);
    expect(second).toMatchObject({ generation: '2', dirty: 1, priority: 100, marked_at: first.marked_at });
  });

  it('claim: skip-locked claims share out rows, set a lease by the DB clock and never hand one row to two owners', async () => {
    await ws.mark(Array.from({ length: 10 }, (_, i) => ({ contractId: i + 1, priority: 10 })));
    const [a, b] = await Promise.all([ws.claim('w-a', 6), ws.claim('w-b', 6)]);
    const ids = [...a, ...b].map((c) => c.contractId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(10);
    expect(await ws.claim('w-c', 5)).toEqual([]);
    const [lease] = await t.admin.query(
      `SELECT TIMESTAMPDIFF(SECOND, NOW(3), lease_expires_at) AS s FROM \`${t.db.syncSchema}\`.contract_sync WHERE contract_id = ?`,
      [ids[0]],
    );
    expect(Number((lease as Array<{ s: number }>)[0]?.s)).toBeGreaterThanOrEqual(58);
  });

  it('claim orders by priority, and aging lifts long-waiting low-priority work', async () => {
    await ws.mark([{ contractId: 1, priority: 10 }, { contractId: 2, priority: 100 }]);
    expect((await ws.claim('w', 1))[0]?.contractId).toBe(2);
    await t.admin.query(`UPDATE \`${t.db.syncSchema}\`.contract_sync SET marked_at = NOW(3) - INTERVAL 2 HOUR, lease_owner = NULL, lease_expires_at = NULL WHERE contract_id = 1`);
    await ws.mark([{ contractId: 3, priority: 100 }]);
    expect((await ws.claim('w', 1))[0]?.contractId).toBe(1);
  });

  it('the oldest change time of a dirty row is kept across marks, handed to the claim, and cleared with the mark', async () => {
    await ws.mark([{ contractId: 1, priority: 10, sourceTsMs: 2_000 }]);
    await ws.mark([{ contractId: 1, priority: 10, sourceTsMs: 1_000 }]);
    await ws.mark([{ contractId: 1, priority: 10, sourceTsMs: 3_000 }, { contractId: 2, priority: 10, sourceTsMs: null }]);
    await ws.mark([{ contractId: 1, priority: 10 }]);
    const claims = await ws.claim('w', 2);
    expect(claims.map((c) => [c.contractId, c.sourceTsMs]).sort()).toEqual([
      [1, 1_000],
      [2, null],
    ]);
    await ds.transaction((m) => ws.release(m, claims.find((c) => c.contractId === 1)!, 'ok', null));
    // A change after the release starts afresh.
    await ws.mark([{ contractId: 1, priority: 10, sourceTsMs: 9_000 }]);
    const [next] = await ws.claim('w', 1);
    expect([next?.contractId, next?.sourceTsMs]).toEqual([1, 9_000]);
  });

  it('release clears the mark only when no newer generation arrived; a second mark during the run is not lost', async () => {
    await ws.mark([{ contractId: 1, priority: 10 }]);
    const [claim] = await ws.claim('w', 1);
    await ws.mark([{ contractId: 1, priority: 100 }]);
    expect(await ds.transaction((m) => ws.release(m, claim!, 'ok', null))).toEqual({ newerGeneration: true });
    expect(await row(1)).toMatchObject({ dirty: 1, lease_owner: null, priority: 100 });
    const [again] = await ws.claim('w', 1);
    expect(again?.generation).toBe('2');
    expect(await ds.transaction((m) => ws.release(m, again!, 'ok', null))).toEqual({ newerGeneration: false });
    expect(await row(1)).toMatchObject({ dirty: 0, priority: 0 });
  });

  it('the one release: clears a current claim, keeps a newer generation marked, refuses a taken-over or an expired lease', async () => {
    await ws.mark([{ contractId: 1, priority: 10 }, { contractId: 2, priority: 10 }]);
    const claims = await ws.claim('w', 2);
    const one = claims.find((c) => c.contractId === 1)!;
    const two = claims.find((c) => c.contractId === 2)!;
    expect(await ds.transaction((m) => ws.release(m, one, 'noop', '{}'))).toEqual({ newerGeneration: false });
    expect(await row(1)).toMatchObject({ dirty: 0, lease_owner: null, priority: 0 });
    // A mark during the run: the lease is released, the newer mark stays for the next claim.
    await ws.mark([{ contractId: 2, priority: 100 }]);
    expect(await ds.transaction((m) => ws.release(m, two, 'noop', '{}'))).toEqual({ newerGeneration: true });
    expect(await row(2)).toMatchObject({ dirty: 1, lease_owner: null, priority: 100 });
    const [again] = await ws.claim('w', 1);
    expect(again?.contractId).toBe(2);
    expect(await ds.transaction((m) => ws.release(m, again!, 'noop', '{}'))).toEqual({ newerGeneration: false });

    const short = createWorkSet(ds, { syncSchema: t.db.syncSchema, leaseMs: 200 });
    await short.mark([{ contractId: 3, priority: 10 }]);
    const [stale] = await short.claim('slow', 1);
    await leaseExpired(3);
    await expect(ds.transaction((m) => ws.release(m, stale!, 'noop', '{}'))).rejects.toThrow(/expired/);
    expect(await row(3)).toMatchObject({ dirty: 1, lease_owner: 'slow' });
    expect(await waitFor(async () => (await ws.claim('fast', 1))[0])).toMatchObject({ contractId: 3 });
    await expect(ds.transaction((m) => ws.release(m, stale!, 'noop', '{}'))).rejects.toThrow(/another worker/);
    expect(await row(3)).toMatchObject({ dirty: 1, lease_owner: 'fast' });
  });

  it('a worker whose lease expired and was taken over cannot write back', async () => {
    const short = createWorkSet(ds, { syncSchema: t.db.syncSchema, leaseMs: 300 });
    await short.mark([{ contractId: 1, priority: 10 }]);
    const [stale] = await short.claim('slow', 1);
    expect(await waitFor(async () => (await ws.claim('fast', 1))[0])).toMatchObject({ contractId: 1 });
    await expect(ds.transaction((m) => ws.release(m, stale!, 'ok', null))).rejects.toBeInstanceOf(LeaseLostError);
    expect(await ws.renew(stale!)).toBe(false);
    expect(await ws.fail(stale!, { kind: 'park', reason: 'x', detail: 'y' })).toBe(false);
    expect(await row(1)).toMatchObject({ lease_owner: 'fast', parked_reason: null });
  });

  it('an expired lease cannot write back even before anyone else claims it', async () => {
    const short = createWorkSet(ds, { syncSchema: t.db.syncSchema, leaseMs: 200 });
    await short.mark([{ contractId: 4, priority: 10 }]);
    const [stale] = await short.claim('slow', 1);
    await leaseExpired(4);
    await expect(ds.transaction((m) => ws.release(m, stale!, 'ok', null))).rejects.toThrow(/expired/);
    expect(await ws.sweep()).toBe(1);
    // Never released: the reconcile may have died mid-apply, so the next one reads the platform.
    expect(await row(4)).toMatchObject({ lease_owner: null, dirty: 1, verify_requested: 1 });
  });

  it('a lease that expired without release (a crashed worker) makes the next claim a verify claim; a released one does not', async () => {
    const short = createWorkSet(ds, { syncSchema: t.db.syncSchema, leaseMs: 200 });
    await short.mark([{ contractId: 5, priority: 10 }, { contractId: 6, priority: 10 }]);
    const claims = await short.claim('crashed', 2);
    expect(claims.map((c) => c.verify)).toEqual([false, false]);
    await ds.transaction((m) => short.release(m, claims.find((c) => c.contractId === 6)!, 'noop', null));
    await short.mark([{ contractId: 6, priority: 10 }]);
    const next: Claim[] = [];
    await waitFor(async () => {
      next.push(...(await ws.claim('survivor', 2)));
      return next.length === 2;
    });
    expect(next.map((c) => [c.contractId, c.verify]).sort()).toEqual([
      [5, true],
      [6, false],
    ]);
  });

  it('failures: transient counts an attempt and backs off; reschedule does not count; permanent parks until a source mark', async () => {
    await ws.mark([{ contractId: 1, priority: 10 }]);
    const [c1] = await ws.claim('w', 1);
    expect(await ws.fail(c1!, { kind: 'retry', delayMs: 60_000, error: 'boom' })).toBe(true);
    expect(await row(1)).toMatchObject({ attempts: 1, last_error: 'boom', lease_owner: null, dirty: 1 });
    expect(await ws.claim('w', 1)).toEqual([]);

    await t.admin.query(`UPDATE \`${t.db.syncSchema}\`.contract_sync SET next_attempt_at = NOW(3)`);
    const [c2] = await ws.claim('w', 1);
    await ws.fail(c2!, { kind: 'reschedule', delayMs: 0, error: 'breaker open' });
    expect(await row(1)).toMatchObject({ attempts: 1 });

    const [c3] = await ws.claim('w', 1);
    await ws.fail(c3!, { kind: 'park', reason: 'invalid_customer', detail: 'Invalid customer document' });
    expect(await row(1)).toMatchObject({ parked_reason: 'invalid_customer', dirty: 1 });
    expect(await ws.claim('w', 1)).toEqual([]);
    expect(await ws.retryParked(3_600_000)).toBe(0);
    await t.admin.query(`UPDATE \`${t.db.syncSchema}\`.contract_sync SET parked_at = NOW(3) - INTERVAL 2 HOUR`);
    expect(await ws.retryParked(3_600_000)).toBe(1);
    expect(await row(1)).toMatchObject({ parked_reason: null, priority: -50 });

    const [c4] = await ws.claim('w', 1);
    await ws.fail(c4!, { kind: 'park', reason: 'invalid_customer', detail: 'again' });
    await ws.mark([{ contractId: 1, priority: 100 }]);
    expect(await row(1)).toMatchObject({ parked_reason: null, attempts: 0, priority: 100 });
  });

  it('a permanent failure on a contract changed during the run is retried, not parked', async () => {
    await ws.mark([{ contractId: 1, priority: 10 }]);
    const [claim] = await ws.claim('w', 1);
    await ws.mark([{ contractId: 1, priority: 10 }]);
    await ws.fail(claim!, { kind: 'park', reason: 'invalid_customer', detail: 'x' });
    expect(await row(1)).toMatchObject({ parked_reason: null, dirty: 1 });
    expect(await ws.claim('w', 1)).toHaveLength(1);
  });

  it('operator un-park and blast-radius confirmation', async () => {
    await ws.mark([{ contractId: 1, priority: 10 }, { contractId: 2, priority: 10 }]);
    const claims = await ws.claim('w', 2);
    await ws.fail(claims[0]!, { kind: 'park', reason: 'invalid_customer', detail: 'x' });
    await ws.fail(claims[1]!, { kind: 'park', reason: 'awaiting_confirmation', detail: 'y' });
    expect(await ws.unpark('all')).toBe(1);
    expect(await ws.confirm([2])).toBe(1);
    expect(await row(2)).toMatchObject({ parked_reason: 'awaiting_confirmation' });
    await ws.mark([{ contractId: 2, priority: 200 }]);
    const again = await ws.claim('w', 2);
    expect(again.map((c) => [c.contractId, c.destructiveConfirmed]).sort()).toEqual([[1, false], [2, true]]);
  });

  it('daily verify resync: runs once per interval across instances, marks provisioned contracts only, never un-parks', async () => {
    await ws.mark([{ contractId: 1, priority: 10 }, { contractId: 2, priority: 10 }, { contractId: 3, priority: 10 }]);
    const claims = await ws.claim('w', 3);
    for (const c of claims) await ds.transaction(async (m) => ws.release(m, c, 'ok', null));
    await t.admin.query(`UPDATE \`${t.db.syncSchema}\`.contract_sync SET subscription_ref = 'S' WHERE contract_id IN (1, 3)`);
    await t.admin.query(`UPDATE \`${t.db.syncSchema}\`.contract_sync SET parked_reason = 'invalid_customer', parked_at = NOW(3) WHERE contract_id = 3`);
    expect(await ws.verifyResyncIfDue(86_400_000, 'a')).toBe(0);
    await t.admin.query(`UPDATE \`${t.db.syncSchema}\`.maintenance_runs SET last_run_at = NOW(3) - INTERVAL 2 DAY`);
    const [first, second] = await Promise.all([ws.verifyResyncIfDue(86_400_000, 'a'), ws.verifyResyncIfDue(86_400_000, 'b')]);
    expect([first, second].sort()).toEqual([0, 2]);
    expect(await row(1)).toMatchObject({ dirty: 1, verify_requested: 1, priority: -20 });
    expect(await row(2)).toMatchObject({ dirty: 0, verify_requested: 0 });
    expect(await row(3)).toMatchObject({ verify_requested: 1, parked_reason: 'invalid_customer' });
    const [claim] = await ws.claim('w', 5);
    expect(claim).toMatchObject({ contractId: 1, verify: true });
  });
});
