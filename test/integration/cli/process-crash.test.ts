import path from 'node:path';
import { spawn } from 'node:child_process';
import { CRASH_EXIT_CODE } from '../../../src/cli/process-handlers';

const ROOT = path.resolve(__dirname, '../../..');
const SECRET = 'crash-probe-Secret-1b7e4c';

/** `config` with a preload that leaves an AxiosError (Authorization header, client_secret body) unhandled. */
function crashingCli(): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', path.join(ROOT, 'test/helpers/crash-preload.ts'), path.join(ROOT, 'src/cli/main.ts'), 'config'],
    { cwd: ROOT, env: { ...process.env, CRASH_PROBE_SECRET: SECRET, LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('process-level handlers', () => {
  it('an unhandled rejection is logged masked and the process exits non-zero', async () => {
    const { code, output } = await crashingCli();
    expect(code).toBe(CRASH_EXIT_CODE);
    expect(output).toContain('unhandled rejection: exiting');
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain('crash-probe-Secret');
  });
});
