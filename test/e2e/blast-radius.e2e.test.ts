import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import type { SandboxAdminState } from '../../src/sandbox/sandbox-admin';
import { cdcDatabase, randomGroupId } from '../helpers/cdc-stack';
import { createIxcWorld, type IxcWorld } from '../helpers/ixc-world';
import { runCli } from '../helpers/reconcile-cli';
import { startSandboxProcess, type SandboxProcess } from '../helpers/sandbox-process';
import { waitFor } from '../helpers/wait-for';
import { startWorkerProcess, testWorkerEnv, type WorkerProcess } from '../helpers/worker-process';

// This file owns ids 950000-959999 and integration 95 on the captured database.
const BASE = 950_000;
const INTEGRATION = 95;
const P_CAMERA = BASE + 1;
const P_CASA = BASE + 2;
const P_SENSOR = BASE + 3;
const THRESHOLD = 5;
/** More contracts hold the camera than the threshold allows to lose it in one change. */
const CAMERA_CONTRACTS = Array.from({ length: 8 }, (_, i) => BASE + 1 + i);
/** In the same transaction, this contract only gains a licence. */
const GAINER = BASE + 100;
const TIMEOUT = 120_000;
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

describe('blast-radius guard through MariaDB → Debezium → Kafka → worker → sandbox: one change is held whole', () => {
  const tenant = `br${randomBytes(3).toString('hex')}`;
  const syncSchema = `ixc_iot_sync_br_${randomBytes(3).toString('hex')}`;
  let conn: mysql.Connection;
  let world: IxcWorld;
  let sandbox: SandboxProcess;
  let worker: WorkerProcess | undefined;
  let env: Record<string, string>;

  const state = (): Promise<SandboxAdminState> => sandbox.admin.state();
  const licencesOf = (s: SandboxAdminState, product: string) =>
    s.licences.filter((l) => l.external_id?.startsWith(`ixc:${tenant}:contrato:`) && l.items[0]?.product_id === product);
  const sync = <T>(sql: string, params: unknown[] = []) => world.query<T>(sql.replaceAll('$s', `\`${syncSchema}\``), params);

  beforeAll(async () => {
    conn = await cdcDatabase();
    world = createIxcWorld(conn, BASE, INTEGRATION);
    sandbox = await startSandboxProcess({ startTimeoutMs: 120_000 });
    await world.clean();
    await world.integration(sandbox.clientId, sandbox.clientSecret);
    await world.product(P_CAMERA, 'Câmera IoT (blast radius)', 'OLLI-CAMERA');
    await world.product(P_CASA, 'Casa Inteligente (blast radius)', 'OLLI-CASA-INTELIGENTE');
    await world.product(P_SENSOR, 'Sensor (blast radius)', 'OLLI-SENSOR-PORTA');
    for (const id of [...CAMERA_CONTRACTS, GAINER]) {
      await world.customer(id);
      await world.contract(id, { id_cliente: id, id_vd_contrato: 0 });
      await world.line(id, { id_contrato: id, id_produto: id === GAINER ? P_SENSOR : P_CAMERA, qtde: 1 });
    }
    env = testWorkerEnv(
      { sandbox, tenant, integration: INTEGRATION, syncSchema, groupId: randomGroupId('e2e-blast') },
      { BLAST_RADIUS_THRESHOLD: String(THRESHOLD), RECONCILE_CONCURRENCY: '4', LOG_LEVEL: 'info' },
    );
    worker = await startWorkerProcess(env, { startTimeoutMs: 120_000 });
  });

  afterAll(async () => {
    const code = await worker?.stop();
    // The worker's log is kept as a test artifact: the first place to look when a step times out.
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'e2e-blast-radius-worker.log'), worker?.output() ?? '');
    await sandbox?.stop();
    await conn?.query(`DROP DATABASE IF EXISTS \`${syncSchema}\``);
    await conn?.end();
    expect(code).toBe(0);
  });

  it('a product unlinked from more contracts than the threshold revokes nothing until `reconcile --confirm <change>`, then all', async () => {
    const all = CAMERA_CONTRACTS;
    await waitFor(async () => {
      const s = await state();
      return licencesOf(s, 'OLLI-CAMERA').filter((l) => l.status !== 'revoked').length === all.length && licencesOf(s, 'OLLI-SENSOR-PORTA').length === 1;
    }, { timeoutMs: TIMEOUT, what: `${all.length} camera licences and the gainer's sensor provisioned` });

    // One IXC transaction: the camera leaves the IoT catalogue (fanning out to 8 contracts) and the
    // gainer adds the Casa product. 8 revocations > 5: the whole change waits, but not the gainer.
    await conn.query(
      `START TRANSACTION;
       UPDATE produtos SET id_integracao_iot = NULL, id_produto_iot = NULL WHERE id = ${P_CAMERA};
       INSERT INTO vd_contratos_produtos (id, id_contrato, id_vd_contrato, id_produto, qtde, tipo, descricao) VALUES (${BASE + 200}, ${GAINER}, 0, ${P_CASA}, 1, 'SVA', 'casa');
       COMMIT;`,
    );

    const held = await waitFor(
      async () => {
        const rows = await sync<{ id: number; status: string; origin_table: string; origin_row: string; transaction_id: string | null; destructive: number }>(
          `SELECT id, status, origin_table, origin_row, transaction_id, destructive FROM $s.source_change WHERE status = 'held'`,
        );
        const parked = await sync<{ n: number }>(`SELECT COUNT(*) AS n FROM $s.contract_sync WHERE parked_reason = 'awaiting_confirmation'`);
        return rows.length === 1 && Number(parked[0]?.n) === all.length ? rows[0] : null;
      },
      { timeoutMs: TIMEOUT, what: 'the unlink held as one change with every camera contract parked on it' },
    );
    expect(held).toMatchObject({ origin_table: 'produtos', origin_row: String(P_CAMERA), destructive: all.length, transaction_id: expect.stringMatching(/^\d+-\d+-\d+$/) });

    // The gainer of the same change is not held: its Casa licence is created.
    await waitFor(async () => licencesOf(await state(), 'OLLI-CASA-INTELIGENTE').some((l) => (l.external_id ?? '').startsWith(`ixc:${tenant}:contrato:${GAINER}:`)), {
      timeoutMs: TIMEOUT,
      what: 'the gainer’s new licence',
    });
    let s = await state();
    expect(licencesOf(s, 'OLLI-CAMERA').filter((l) => l.status === 'revoked')).toEqual([]);

    // Visible as one thing: metric, status page JSON, `reconcile --dry-run`.
    const metrics = await waitFor(async () => {
      const text = await (await fetch(`${worker!.opsUrl}/metrics`)).text();
      return /^ixc_iot_sync_held_changes 1$/m.test(text) ? text : null;
    }, { timeoutMs: 30_000, what: 'the held-change metric' });
    expect(metrics).toMatch(new RegExp(`^ixc_iot_sync_held_change_revocations ${all.length}$`, 'm'));
    const doc = (await (await fetch(`${worker!.opsUrl}/status.json`)).json()) as { workSet: { heldChanges: Array<{ id: string; contracts: number; sample: number[] }> } };
    expect(doc.workSet.heldChanges).toEqual([expect.objectContaining({ id: String(held.id), contracts: all.length, sample: all })]);
    const cliEnv = { ...process.env, ...env, LOG_LEVEL: 'warn' };
    const dry = await runCli(['reconcile', '--dry-run'], cliEnv);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`change ${held.id} HELD: ${all.length} revocation(s)/cancellation(s) on ${all.length} contract(s) from produtos row ${P_CAMERA}`);
    s = await state();
    expect(licencesOf(s, 'OLLI-CAMERA').filter((l) => l.status === 'revoked')).toEqual([]);

    const confirmed = await runCli(['reconcile', '--confirm', String(held.id), '--timeout', '120'], cliEnv);
    expect(confirmed.stdout).toContain('(reconciled by the running worker)');
    expect(confirmed.code).toBe(0);
    s = await state();
    expect(licencesOf(s, 'OLLI-CAMERA').map((l) => l.status)).toEqual(all.map(() => 'revoked'));
    expect(await world.query(`SELECT DISTINCT status FROM licencas_iot WHERE id_contrato IN (?) AND id_licenca_integracao IN (?)`, [all, licencesOf(s, 'OLLI-CAMERA').map((l) => l.id)])).toEqual([{ status: 'I' }]);
  }, 600_000);
});
