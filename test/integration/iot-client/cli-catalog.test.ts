import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { startSandboxProcess, type SandboxProcess } from '../../helpers/sandbox-process';
import { createTestDatabase, testDatabaseEnv, type TestDatabase } from '../../helpers/test-database';

// Seven CLI processes, each compiling the CLI with ts-node (~6 s of CPU apiece).
jest.setTimeout(300_000);

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');

// `integration set`, `catalog list|link|unlink` as an operator runs them: a real process, the
// test database and the sandbox.
describe('catalog and integration commands', () => {
  let sandbox: SandboxProcess;
  let testDb: TestDatabase;
  let env: NodeJS.ProcessEnv;

  const cli = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const result = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...env, ...extraEnv },
    });
    return `${result.stdout}${result.stderr}`;
  };

  beforeAll(async () => {
    sandbox = await startSandboxProcess();
    testDb = await createTestDatabase();
    await runMigrations(testDb.db);
    env = testDatabaseEnv(testDb.db, { IOT_BASE_URL: sandbox.url, IOT_TENANT_ID: 'cli01', LOG_LEVEL: 'warn' });
  });

  afterAll(async () => {
    await testDb?.drop();
    await sandbox?.stop();
  });

  it('stores the credentials without echoing the secret, then links and unlinks a product', async () => {
    const setOut = await cli(['integration', 'set', '--client-id', sandbox.clientId], { IOT_CLIENT_SECRET: sandbox.clientSecret });
    expect(setOut).toMatch(/Integration 1 created/);
    expect(setOut).not.toContain(sandbox.clientSecret);
    const [rows] = (await testDb.admin.query(`SELECT client_id, client_secret FROM \`${testDb.db.ixcDatabase}\`.integracoes_iot WHERE id = 1`)) as unknown as [
      Array<{ client_id: string; client_secret: string }>,
    ];
    expect(rows[0]).toEqual({ client_id: sandbox.clientId, client_secret: sandbox.clientSecret });

    // credentials now come from integracoes_iot
    const dry = await cli(['catalog', 'link', '5', 'OLLI-CASA-INTELIGENTE', '--dry-run']);
    expect(dry).toMatch(/Would link IXC produto 5/);
    expect(dry).toMatch(/Contracts holding it \(own or plan lines\): [1-9]/);
    const [before] = (await testDb.admin.query(`SELECT id_produto_iot FROM \`${testDb.db.ixcDatabase}\`.produtos WHERE id = 5`)) as unknown as [
      Array<{ id_produto_iot: string | null }>,
    ];
    expect(before[0]?.id_produto_iot).toBeNull();

    await expect(cli(['catalog', 'link', '5', 'NO-SUCH-PRODUCT'])).rejects.toThrow(/does not list/);
    await cli(['catalog', 'link', '5', 'OLLI-CASA-INTELIGENTE']);
    const [after] = (await testDb.admin.query(
      `SELECT id_produto_iot, id_integracao_iot FROM \`${testDb.db.ixcDatabase}\`.produtos WHERE id = 5`,
    )) as unknown as [Array<{ id_produto_iot: string | null; id_integracao_iot: number | null }>];
    expect(after[0]).toEqual({ id_produto_iot: 'OLLI-CASA-INTELIGENTE', id_integracao_iot: 1 });

    const list = await cli(['catalog', 'list']);
    expect(list).toMatch(/OLLI-CASA-INTELIGENTE\s+Casa Inteligente[\s\S]*← IXC produto 5/);
    expect(list).toMatch(/OLLI-LEGACY-HUB.*INACTIVE/);

    await cli(['catalog', 'unlink', '5']);
    const [unlinked] = (await testDb.admin.query(`SELECT id_produto_iot FROM \`${testDb.db.ixcDatabase}\`.produtos WHERE id = 5`)) as unknown as [
      Array<{ id_produto_iot: string | null }>,
    ];
    expect(unlinked[0]?.id_produto_iot).toBeNull();

    // the CLI's calls were audited too
    const [audit] = (await testDb.admin.query(`SELECT COUNT(*) AS n FROM \`${testDb.db.syncSchema}\`.api_audit`)) as unknown as [Array<{ n: number }>];
    expect(Number(audit[0]?.n)).toBeGreaterThan(0);
  });
});
