import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { runMigrations } from '../../../src/migrations/run-migrations';
import type { ContractReport } from '../../../src/ops/contract-report';
import { createTestDatabase, testDatabaseEnv, type TestDatabase } from '../../helpers/test-database';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');
const CONTRACT = 1; // fixture: customer 1, plan 2 (Casa) + own Sensor line, A / A

/** `status --contract` explains one contract from the database alone when no platform is configured. */
describe('status --contract', () => {
  let db: TestDatabase;
  let customer: { razao: string; cnpj_cpf: string; email: string };

  const status = async (args: string[]): Promise<string> => {
    const env = testDatabaseEnv(db.db, {
      IOT_TENANT_ID: 'isp1',
      IOT_INTEGRATION_ID: '1',
      LOG_LEVEL: 'error',
    });
    const { stdout } = await run('node', ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', 'status', '--contract', String(CONTRACT), ...args], { cwd: ROOT, env });
    return stdout;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await runMigrations(db.db);
    const ixc = `\`${db.db.ixcDatabase}\``;
    const s = `\`${db.db.syncSchema}\``;
    await db.admin.query(`UPDATE ${ixc}.produtos SET id_integracao_iot = 1, id_produto_iot = id_sva_pacote WHERE id IN (5, 6, 7)`);
    const [[row]] = (await db.admin.query(`SELECT razao, cnpj_cpf, email FROM ${ixc}.cliente WHERE id = 1`)) as unknown as [[typeof customer]];
    customer = row;
    await db.admin.query(
      `INSERT INTO ${s}.contract_sync (contract_id, generation, dirty, priority, marked_at, attempts, last_error, last_error_at, last_outcome)
       VALUES (?, 3, 1, 100, NOW(3), 2, ?, NOW(3), 'failed')`,
      [CONTRACT, `IotApiUnavailableError: POST /customers -> 503 for document ${customer.cnpj_cpf}`],
    );
    await db.admin.query(
      `INSERT INTO ${s}.api_audit (at, contract_id, method, path, endpoint, status, duration_ms, attempt, error) VALUES
        (NOW(3) - INTERVAL 2 SECOND, ?, 'GET', ?, 'GET /customers', 200, 12, 1, NULL),
        (NOW(3) - INTERVAL 1 SECOND, ?, 'POST', '/customers', 'POST /customers', 503, 30, 1, ?)`,
      [CONTRACT, `/customers?document=${customer.cnpj_cpf.replace(/\D/g, '')}`, CONTRACT, `upstream said: ${customer.email} rejected`],
    );
  });

  afterAll(async () => db?.drop());

  it('gives desired, recorded, the plan and the audit trail as JSON, with personal data masked', async () => {
    const stdout = await status(['--json']);
    const report = JSON.parse(stdout) as ContractReport & { desired: { decision: { target: string }; licences: Array<{ platformProductId: string; quantity: number }> } };
    expect(report.desired.decision.target).toBe('active');
    expect(report.desired.licences.map((l) => [l.platformProductId, l.quantity])).toEqual([
      ['OLLI-CASA-INTELIGENTE', 1],
      ['OLLI-SENSOR-PORTA', 1],
    ]);
    expect(report.workSet).toMatchObject({ dirty: true, generation: 3, attempts: 2, lastOutcome: 'failed' });
    expect(report.recorded).toMatchObject({ source: 'recorded', subscription: null, licences: [] });
    expect(report.platform).toBeNull();
    expect(report.notes.join('\n')).toContain('the platform is not configured');
    expect(report.plan?.against).toBe('recorded');
    expect(report.plan?.actions.join('\n')).toMatch(/find or create customer ixc:isp1:cliente:1/);
    expect(report.audit.map((a) => [a.method, a.status])).toEqual([
      ['POST', 503],
      ['GET', 200],
    ]);
    for (const raw of [customer.cnpj_cpf, customer.cnpj_cpf.replace(/\D/g, ''), customer.email, customer.razao]) expect(stdout).not.toContain(raw);
  });

  it('explains the same in plain text', async () => {
    const stdout = await status([]);
    expect(stdout).toMatch(/^Contract 1$/m);
    expect(stdout).toMatch(/^desired\s+active \(rule 4\); customer 1 ok; OLLI-CASA-INTELIGENTE × 1, OLLI-SENSOR-PORTA × 1$/m);
    expect(stdout).toMatch(/^plan\s+against recorded: find or create customer/m);
    expect(stdout).toMatch(/POST \/customers\s+503/);
    expect(stdout).not.toContain(customer.email);
  });
});
