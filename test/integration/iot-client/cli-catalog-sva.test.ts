import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { runMigrations } from '../../../src/migrations/run-migrations';
import type { CheckResult } from '../../../src/ops/doctor-check';
import { startSandboxProcess, type SandboxProcess } from '../../helpers/sandbox-process';
import { createTestDatabase, testDatabaseEnv, type TestDatabase } from '../../helpers/test-database';

jest.setTimeout(600_000);

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');

// The seed links its IoT products (5 Casa, 6 Câmera, 7 Sensor) only the SVA way:
// id_sva_integracao = 1 and id_sva_pacote = OLLI-…, with id_integracao_iot / id_produto_iot NULL.
describe('SVA-linked products: doctor and catalog list warn, catalog adopt-sva links them', () => {
  let sandbox: SandboxProcess;
  let testDb: TestDatabase;
  let env: NodeJS.ProcessEnv;

  const cli = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> => {
    try {
      const r = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { ...env, ...extraEnv } });
      return { code: 0, out: `${r.stdout}${r.stderr}` };
    } catch (thrown) {
      const err = thrown as { code?: number; stdout?: string; stderr?: string };
      return { code: err.code ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  };
  const links = async () => {
    const [rows] = (await testDb.admin.query(`SELECT id, id_integracao_iot, id_produto_iot FROM \`${testDb.db.ixcDatabase}\`.produtos WHERE id IN (5, 6, 7) ORDER BY id`)) as unknown as [
      Array<{ id: number; id_integracao_iot: number | null; id_produto_iot: string | null }>,
    ];
    return rows;
  };
  const svaCheck = async (): Promise<CheckResult | undefined> => {
    const { out } = await cli(['doctor', '--json'], { KAFKA_BROKERS: '127.0.0.1:1', CONNECT_URL: 'http://127.0.0.1:1', LOG_LEVEL: 'error' });
    return (JSON.parse(out) as { checks: CheckResult[] }).checks.find((c) => c.name === 'SVA-linked products');
  };

  beforeAll(async () => {
    sandbox = await startSandboxProcess({ startTimeoutMs: 180_000 });
    testDb = await createTestDatabase();
    await runMigrations(testDb.db);
    env = testDatabaseEnv(testDb.db, { IOT_BASE_URL: sandbox.url, IOT_TENANT_ID: 'sva01', LOG_LEVEL: 'warn' });
    expect((await cli(['integration', 'set', '--client-id', sandbox.clientId], { IOT_CLIENT_SECRET: sandbox.clientSecret })).code).toBe(0);
  });

  afterAll(async () => {
    await testDb?.drop();
    await sandbox?.stop();
  });

  it('warns in doctor and catalog list, shows the links and their contracts on --dry-run, then links them', async () => {
    const warning = /3 IXC product\(s\) are linked to an SVA integration of the IoT platform but not to IoT integration 1, so their contracts get nothing provisioned: produto 5 \(Casa Inteligente Olli, pacote OLLI-CASA-INTELIGENTE → OLLI-CASA-INTELIGENTE\); produto 6/;
    const list = await cli(['catalog', 'list']);
    expect(list.out).toMatch(warning);
    expect(await svaCheck()).toMatchObject({ status: 'warn', message: expect.stringMatching(warning), fix: expect.stringContaining('catalog adopt-sva --dry-run') });

    const dry = await cli(['catalog', 'adopt-sva', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/Would link IXC produto 5 \(Casa Inteligente Olli, SVA integration 1, pacote OLLI-CASA-INTELIGENTE\) → platform product OLLI-CASA-INTELIGENTE \(Casa Inteligente, matched by id\), integration 1/);
    expect(dry.out).toMatch(/Would link IXC produto 6 .*→ platform product OLLI-CAMERA/);
    expect(dry.out).toMatch(/contracts it provisions \(own or plan lines\): [1-9]\d* — \d+ \(/);
    expect(dry.out).toMatch(/3 link\(s\) planned \(dry run: nothing changed\)/);
    expect(await links()).toEqual([
      { id: 5, id_integracao_iot: null, id_produto_iot: null },
      { id: 6, id_integracao_iot: null, id_produto_iot: null },
      { id: 7, id_integracao_iot: null, id_produto_iot: null },
    ]);

    const adopted = await cli(['catalog', 'adopt-sva']);
    expect(adopted.out).toMatch(/3 link\(s\) made/);
    expect(await links()).toEqual([
      { id: 5, id_integracao_iot: 1, id_produto_iot: 'OLLI-CASA-INTELIGENTE' },
      { id: 6, id_integracao_iot: 1, id_produto_iot: 'OLLI-CAMERA' },
      { id: 7, id_integracao_iot: 1, id_produto_iot: 'OLLI-SENSOR-PORTA' },
    ]);
    expect((await cli(['catalog', 'list'])).out).not.toMatch(/SVA integration/);
    expect(await svaCheck()).toMatchObject({ status: 'ok' });
    expect((await cli(['catalog', 'adopt-sva', '--dry-run'])).out).toMatch(/No IXC product is linked only the SVA way/);
  });
});
