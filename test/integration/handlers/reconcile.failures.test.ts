import type { ReconcileEventMap } from '../../../src/handlers/reconcile-events';
import { cliEnv, runCli } from '../../helpers/reconcile-cli';
import { createReconcileWorld, sandboxObjects, type ReconcileWorld } from '../../helpers/reconcile-harness';
import { startSandboxProcess, type SandboxProcess } from '../../helpers/sandbox-process';
import { waitFor } from '../../helpers/wait-for';

// Real processes and HTTP round trips: jest's 5 s default is too short (testTimeout is not per project).
jest.setTimeout(120_000);

describe('reconcile: failures, breaker, shutdown and the blast-radius guard', () => {
  let sandbox: SandboxProcess;
  let w: ReconcileWorld;

  beforeAll(async () => {
    sandbox = await startSandboxProcess();
  });
  afterAll(async () => {
    await sandbox.stop();
  });
  afterEach(async () => {
    await sandbox.admin.clearFaults();
    await w.close();
  });

  describe('with the default threshold', () => {
    beforeEach(async () => {
      await sandbox.admin.reset({ keepCatalog: true });
      w = await createReconcileWorld(sandbox);
    });

    it('an outage counts attempts with backoff; an open breaker reschedules without counting; recovery converges', async () => {
      await sandbox.admin.setFault('GET /customers', { outage: true });
      const failures: Array<ReconcileEventMap['reconcile:failure']> = [];
      const slots = w.slots({ concurrency: 1, breakerDelayMs: 100 });
      slots.events.on('reconcile:failure', (e) => failures.push(e));
      await w.workSet.mark([{ contractId: 1, priority: 100 }]);
      slots.start();
      await waitFor(() => failures.some((f) => f.disposition === 'reschedule'), { what: 'the breaker to open', timeoutMs: 60_000 });
      await slots.stop();
      const retries = failures.filter((f) => f.disposition === 'retry').length;
      expect(retries).toBeGreaterThan(0);
      const [row] = await w.sync(`SELECT attempts, dirty, parked_reason, lease_owner, last_error FROM contract_sync WHERE contract_id = 1`);
      expect(row).toMatchObject({ attempts: retries, dirty: 1, parked_reason: null, lease_owner: null });
      expect(String(row?.last_error)).toMatch(/breaker/i);
      expect((await sandboxObjects(sandbox)).customers).toEqual([]);

      await sandbox.admin.clearFaults();
      await w.sync(`UPDATE contract_sync SET next_attempt_at = NOW(3)`);
      await w.converge([1]);
      expect(await w.sync(`SELECT attempts, dirty, last_error FROM contract_sync WHERE contract_id = 1`)).toEqual([{ attempts: 0, dirty: 0, last_error: null }]);
      expect((await sandboxObjects(sandbox)).subscriptions).toHaveLength(1);
    });

    it('a reconcile that failed half-way (licences blocked, the subscription call failed) is followed by one that reads the platform', async () => {
      await w.converge([1]);
      await sandbox.admin.setFault('PATCH /subscriptions/{id}', { errorRate: 1, errorStatus: 500 });
      await w.ixc(`UPDATE cliente_contrato SET status_internet = 'CA' WHERE id = 1`);
      const failures: Array<ReconcileEventMap['reconcile:failure']> = [];
      const slots = w.slots({ concurrency: 1 });
      slots.events.on('reconcile:failure', (e) => failures.push(e));
      await w.workSet.mark([{ contractId: 1, priority: 100 }]);
      slots.start();
      await waitFor(() => failures.length > 0, { what: 'the suspension to fail', timeoutMs: 60_000 });
      await slots.stop();
      expect((await sandboxObjects(sandbox)).licences.map((l) => l.status)).toEqual(['blocked', 'blocked']);
      expect(await w.sync(`SELECT verify_requested FROM contract_sync WHERE contract_id = 1`)).toEqual([{ verify_requested: 1 }]);

      // Paid before the retry: the record still says active, the platform says blocked.
      await sandbox.admin.clearFaults();
      await w.ixc(`UPDATE cliente_contrato SET status_internet = 'A' WHERE id = 1`);
      await w.sync(`UPDATE contract_sync SET next_attempt_at = NOW(3)`);
      await w.converge([1]);
      const platform = await sandboxObjects(sandbox);
      expect(platform.subscriptions.map((s) => s.status)).toEqual(['active']);
      // Unblocked and never activated by a device: pending again (iot-platform-api.md §2.8).
      expect(platform.licences.map((l) => l.status)).toEqual(['pending', 'pending']);
    });

    it('a 403 is a configuration fault: no attempt counted, every slot pauses', async () => {
      await sandbox.admin.setFault('GET /customers', { errorRate: 1, errorStatus: 403 });
      const faults: Array<ReconcileEventMap['config:fault']> = [];
      const slots = w.slots({ concurrency: 2, configurationPauseMs: 60_000 });
      slots.events.on('config:fault', (e) => faults.push(e));
      await w.workSet.mark([{ contractId: 1, priority: 100 }, { contractId: 7, priority: 100 }]);
      slots.start();
      await waitFor(() => faults.length > 0, { what: 'the configuration fault' });
      await waitFor(async () => Number((await w.sync(`SELECT COUNT(*) AS n FROM contract_sync WHERE lease_owner IS NOT NULL`))[0]?.n) === 0, { what: 'leases released' });
      const getsAtFault = (await sandbox.admin.state()).requestCounts['GET /customers'] ?? 0;
      // Paused: new work is not claimed, even when nudged, while two maintenance rounds pass.
      await w.workSet.mark([{ contractId: 9, priority: 200 }]);
      slots.nudge();
      const seen = async () => String((await w.sync(`SELECT seen_at FROM worker_heartbeat WHERE owner = ?`, [slots.owner]))[0]?.seen_at);
      const first = await waitFor(seen, { what: 'a heartbeat' });
      const second = await waitFor(async () => ((await seen()) !== first ? seen() : null), { what: 'a second heartbeat' });
      await waitFor(async () => ((await seen()) !== second ? true : null), { what: 'a third heartbeat' });
      expect(await w.sync(`SELECT dirty, last_outcome FROM contract_sync WHERE contract_id = 9`)).toEqual([{ dirty: 1, last_outcome: null }]);
      await slots.stop();
      expect((await sandbox.admin.state()).requestCounts['GET /customers'] ?? 0).toBe(getsAtFault);
      const rows = await w.sync(`SELECT contract_id, attempts, parked_reason, last_outcome FROM contract_sync WHERE last_outcome IS NOT NULL ORDER BY 1`);
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(r).toMatchObject({ attempts: 0, parked_reason: null, last_outcome: 'rescheduled' });
    });

    it('stop() drains, then aborts a hung reconcile and releases its lease without counting an attempt', async () => {
      await sandbox.admin.setFault('POST /customers', { latencyMs: 20_000 });
      const slots = w.slots({ concurrency: 1, shutdownTimeoutMs: 300 });
      await w.workSet.mark([{ contractId: 1, priority: 100 }]);
      slots.start();
      await waitFor(() => slots.inFlight() === 1, { what: 'a reconcile in flight' });
      await waitFor(async () => (await sandbox.admin.state()).requestCounts['POST /customers'] === 1, { what: 'the hung create' });
      await slots.stop();
      // stop() did not wait for the hung call: it returned while the sandbox still holds that request (20 s).
      expect((await sandbox.admin.state()).concurrency.inFlight).toBe(1);
      expect(slots.inFlight()).toBe(0);
      expect(await w.sync(`SELECT dirty, lease_owner, attempts, last_outcome FROM contract_sync WHERE contract_id = 1`)).toEqual([
        { dirty: 1, lease_owner: null, attempts: 0, last_outcome: 'rescheduled' },
      ]);
    });
  });

  describe('with a short lease', () => {
    beforeEach(async () => {
      await sandbox.admin.reset({ keepCatalog: true });
      w = await createReconcileWorld(sandbox, {}, 1000);
    });

    it('renews at half the lease while a reconcile runs, and aborts it when a renewal fails', async () => {
      await sandbox.admin.setFault('POST /customers', { latencyMs: 20_000 });
      const failures: Array<ReconcileEventMap['reconcile:failure']> = [];
      const slots = w.slots({ concurrency: 1 });
      slots.events.on('reconcile:failure', (e) => failures.push(e));
      await w.workSet.mark([{ contractId: 1, priority: 100 }]);
      slots.start();
      await waitFor(async () => (await sandbox.admin.state()).requestCounts['POST /customers'] === 1, { what: 'the hung create' });
      const [first] = await w.sync(`SELECT lease_expires_at FROM contract_sync WHERE contract_id = 1`);
      // Renewed past the original one-second lease while the call hangs.
      await waitFor(async () => (await w.sync(`SELECT lease_expires_at FROM contract_sync WHERE contract_id = 1`))[0]?.lease_expires_at !== first?.lease_expires_at, {
        what: 'a renewal',
      });
      expect(failures).toEqual([]);
      // Another owner takes the row over: the next renewal fails and the reconcile is aborted long before the hung call returns.
      await w.sync(`UPDATE contract_sync SET lease_owner = 'thief' WHERE contract_id = 1`);
      await waitFor(() => failures.length === 1, { what: 'the abort', timeoutMs: 10_000 });
      await slots.stop();
      expect(failures[0]?.error.message).toMatch(/lease renewal failed/);
      expect(await w.sync(`SELECT lease_owner FROM contract_sync WHERE contract_id = 1`)).toEqual([{ lease_owner: 'thief' }]);
    });
  });

  describe('with a blast-radius threshold of 3', () => {
    beforeEach(async () => {
      await sandbox.admin.reset({ keepCatalog: true });
      w = await createReconcileWorld(sandbox, { blastRadiusThreshold: 3, changeSettleMs: 0 });
    });

    it('cancellations of one IXC transaction are one change: held whole, nothing revoked, until `reconcile --confirm <change>`', async () => {
      await w.converge([1, 9]);
      expect((await sandboxObjects(sandbox)).licences).toHaveLength(3);
      // Each cancellation alone is within the threshold (contract 1: two licences and the
      // subscription; contract 9: one and the subscription); the transaction that made both is not.
      // A sliding count let the first of them through; slow revocations keep both in flight at once.
      await sandbox.admin.setFault('DELETE /licenses/{id}', { latencyMs: 800 });
      await w.ixc(`UPDATE cliente_contrato SET status = 'I' WHERE id IN (1, 9)`);
      const change = { key: 'tx:0-1-77', table: 'cliente_contrato', row: '1', rows: 2, transaction: '0-1-77' };
      await w.workSet.mark([1, 9].map((contractId) => ({ contractId, priority: 100, change })));
      await w.converge([1, 9], { concurrency: 2 });

      expect(await w.sync(`SELECT contract_id, parked_reason FROM contract_sync WHERE contract_id IN (1, 9) ORDER BY 1`)).toEqual([
        { contract_id: 1, parked_reason: 'awaiting_confirmation' },
        { contract_id: 9, parked_reason: 'awaiting_confirmation' },
      ]);
      let platform = await sandboxObjects(sandbox);
      expect(platform.licences.filter((l) => l.status === 'revoked')).toEqual([]);
      expect(platform.subscriptions.filter((s) => s.status === 'cancelled')).toEqual([]);
      const [held] = await w.sync(`SELECT id, status, destructive, sample FROM source_change`);
      expect(held).toMatchObject({ status: 'held', destructive: 5, sample: '[1,9]' });

      const env = cliEnv(w, sandbox, { BLAST_RADIUS_THRESHOLD: '3' });
      const dry = await runCli(['reconcile', '--dry-run'], env);
      expect(dry.stdout).toContain(
        `change ${String(held!.id)} HELD: 5 revocation(s)/cancellation(s) on 2 contract(s) from cliente_contrato row 1 (+1 more row(s)), transaction 0-1-77; contracts 1, 9; release with "reconcile --confirm ${String(held!.id)}"`,
      );
      const status = await runCli(['reconcile', '--confirm', String(held!.id)], env);
      expect(status.stdout).toMatch(/contract 1: applied/);
      expect(status.stdout).toMatch(/contract 9: applied/);
      expect(status.code).toBe(0);
      platform = await sandboxObjects(sandbox);
      expect(platform.subscriptions.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
      expect(platform.licences.map((l) => l.status)).toEqual(['revoked', 'revoked', 'revoked']);
      expect(await w.sync(`SELECT status FROM source_change`)).toEqual([{ status: 'confirmed' }]);
    });

    it('an unknown change is refused by name', async () => {
      const out = await runCli(['reconcile', '--confirm', '999'], cliEnv(w, sandbox, { BLAST_RADIUS_THRESHOLD: '3' }));
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('No change 999 is recorded');
    });
  });

  describe('with a blast-radius threshold of 1', () => {
    beforeEach(async () => {
      await sandbox.admin.reset({ keepCatalog: true });
      w = await createReconcileWorld(sandbox, { blastRadiusThreshold: 1 });
    });

    it('a cancellation revoking more than the threshold parks awaiting confirmation until `reconcile --confirm`', async () => {
      await w.ixc(`UPDATE cliente_contrato SET status_internet = 'A' WHERE id = 3`);
      await w.converge([3]);
      expect((await sandboxObjects(sandbox)).licences).toHaveLength(3);

      await w.ixc(`UPDATE cliente_contrato SET status = 'I' WHERE id = 3`);
      await w.converge([3]);
      expect(await w.sync(`SELECT parked_reason FROM contract_sync WHERE contract_id = 3`)).toEqual([{ parked_reason: 'awaiting_confirmation' }]);
      let platform = await sandboxObjects(sandbox);
      expect(platform.subscriptions.map((s) => s.status)).toEqual(['active']);
      expect(platform.licences.filter((l) => l.status === 'revoked')).toEqual([]);
      // The hourly retry leaves it to the operator.
      await w.sync(`UPDATE contract_sync SET parked_at = NOW(3) - INTERVAL 2 HOUR`);
      expect(await w.workSet.retryParked(3_600_000)).toBe(0);

      const confirmed = await runCli(['reconcile', '--confirm', '--contract', '3'], cliEnv(w, sandbox, { BLAST_RADIUS_THRESHOLD: '1' }));
      expect(confirmed.stdout).toMatch(/contract 3: applied/);
      expect(confirmed.code).toBe(0);
      platform = await sandboxObjects(sandbox);
      expect(platform.subscriptions.map((s) => s.status)).toEqual(['cancelled']);
      expect(platform.licences.map((l) => l.status)).toEqual(['revoked', 'revoked', 'revoked']);
      expect(await w.sync(`SELECT parked_reason, destructive_confirmed FROM contract_sync WHERE contract_id = 3`)).toEqual([{ parked_reason: null, destructive_confirmed: 0 }]);
    });
  });
});
