import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { runMigrations } from '../../../src/migrations/run-migrations';
import type { CheckResult } from '../../../src/ops/doctor-check';
import { startSandboxProcess } from '../../helpers/sandbox-process';
import { createTestDatabase, testDatabaseEnv, type TestDatabase } from '../../helpers/test-database';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');

/** Runs the real CLI against the machine's MariaDB, which has no binary log (log_bin=0, MIXED). */
async function doctor(db: TestDatabase, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  const env = testDatabaseEnv(db.db, {
    // Nothing listens on port 1: Kafka and Connect are down for this test.
    KAFKA_BROKERS: '127.0.0.1:1',
    CONNECT_URL: 'http://127.0.0.1:1',
    LOG_LEVEL: 'error',
    ...extraEnv,
  });
  try {
    const { stdout } = await run('node', ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', 'doctor', ...args], { cwd: ROOT, env });
    return { code: 0, stdout };
  } catch (thrown) {
    const err = thrown as { code?: number; stdout?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '' };
  }
}

describe('doctor on a server without a row binlog', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await runMigrations(db.db);
    const [[vars]] = (await db.admin.query('SELECT @@log_bin AS log_bin, @@binlog_format AS format')) as unknown as [[{ log_bin: number; format: string }]];
    // The premise of this test: the machine's server writes no (row) binlog.
    expect(Number(vars.log_bin)).toBe(0);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('exits non-zero and says which prerequisite fails and what to do', async () => {
    const { code, stdout } = await doctor(db, []);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL\s+binlog enabled\s+the binary log is off \(log_bin=0\)/m);
    expect(stdout).toMatch(/fix: start the server with log_bin=mysql-bin/);
    expect(stdout).toMatch(/^FAIL\s+binlog format\s+binlog_format=MIXED, not ROW/m);
    expect(stdout).toMatch(/^ok\s+binlog row image/m);
    expect(stdout).toMatch(/^ok\s+migrations/m);
    expect(stdout).toMatch(/^FAIL\s+connector\s+Kafka Connect is unreachable/m);
    expect(stdout).toMatch(/checks? failed\.$/m);
  });

  it('gives the same verdict as JSON', async () => {
    const { code, stdout } = await doctor(db, ['--json']);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { ok: boolean; checks: CheckResult[] };
    expect(report.ok).toBe(false);
    const byName = new Map(report.checks.map((c) => [c.name, c]));
    expect(byName.get('binlog enabled')).toMatchObject({ status: 'fail' });
    expect(byName.get('binlog format')).toMatchObject({ status: 'fail', message: expect.stringContaining('MIXED') });
    expect(byName.get('worker grants')).toMatchObject({ status: 'ok' });
    expect(byName.get('database')).toMatchObject({ status: 'ok' });
  });

  it('fetches a token and finds a linked product missing or inactive on the platform', async () => {
    const sandbox = await startSandboxProcess();
    try {
      const ixc = `\`${db.db.ixcDatabase}\``;
      await db.admin.query(`INSERT INTO ${ixc}.integracoes_iot (id, integracao, client_id, client_secret) VALUES (1, 'olli', ?, ?)`, [sandbox.clientId, sandbox.clientSecret]);
      await db.admin.query(`UPDATE ${ixc}.produtos SET id_integracao_iot = 1, id_produto_iot = 'OLLI-CAMERA' WHERE id = 5`);
      await db.admin.query(`UPDATE ${ixc}.produtos SET id_integracao_iot = 1, id_produto_iot = 'OLLI-LEGACY-HUB' WHERE id = 6`);
      await db.admin.query(`UPDATE ${ixc}.produtos SET id_integracao_iot = 1, id_produto_iot = 'OLLI-GONE' WHERE id = 7`);
      const { code, stdout } = await doctor(db, ['--json'], { IOT_BASE_URL: sandbox.url, IOT_TENANT_ID: 'isp1', IOT_INTEGRATION_ID: '1' });
      expect(code).toBe(1);
      const byName = new Map((JSON.parse(stdout) as { checks: CheckResult[] }).checks.map((c) => [c.name, c]));
      expect(byName.get('platform token')).toMatchObject({ status: 'ok' });
      const linked = byName.get('linked products');
      expect(linked).toMatchObject({ status: 'fail' });
      expect(linked?.message).toContain('product 6 links OLLI-LEGACY-HUB (Hub legado), which is inactive on the platform');
      expect(linked?.message).toContain('product 7 links OLLI-GONE, which the platform does not have');
      expect(linked?.message).not.toContain('product 5');
      expect(stdout).not.toContain(sandbox.clientSecret);
    } finally {
      await sandbox.stop();
    }
  });
});
