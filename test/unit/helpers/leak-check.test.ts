import { execFile } from 'node:child_process';
import path from 'node:path';

// Runs Jest in a child process on the fixture suites in test/fixtures/leak-check, under the same
// leak-checking environment and global teardown as this repository's projects.
const repo = path.resolve(__dirname, '../../..');
const config = path.join(repo, 'test/fixtures/leak-check/jest.config.js');

interface JestRun {
  status: number | null;
  results: { name: string; status: string; message: string }[];
}

async function runFixtures(pattern: string): Promise<JestRun> {
  const args = [require.resolve('jest/bin/jest'), '--config', config, '--json', pattern];
  const { status, stdout } = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
    execFile(process.execPath, args, { cwd: repo, encoding: 'utf8', timeout: 60_000 }, (error, out) =>
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout: out }),
    );
  });
  const report = JSON.parse(stdout) as { testResults: { name: string; status: string; message: string }[] };
  return { status, results: report.testResults.map(({ name, status, message }) => ({ name: path.basename(name), status, message })) };
}

// Both runs start at once: each is mostly Jest starting up.
let leaking: Promise<JestRun>;
let clean: Promise<JestRun>;
beforeAll(() => {
  leaking = runFixtures('fixture');
  clean = runFixtures('closes-everything');
});

describe('the leak check', () => {
  it('fails a file that leaves an interval or a socket open, names what leaked, and the run still ends', async () => {
    const run = await leaking;
    const byName = Object.fromEntries(run.results.map((result) => [result.name, result]));

    expect(run.status).toBe(1);
    expect(byName['leaks-interval.fixture.js']?.status).toBe('failed');
    expect(byName['leaks-interval.fixture.js']?.message).toMatch(/setInterval created at .*leaks-interval\.fixture\.js:4/);
    expect(byName['leaks-socket.fixture.js']?.status).toBe('failed');
    expect(byName['leaks-socket.fixture.js']?.message).toMatch(/server on 127\.0\.0\.1:\d+/);
    expect(byName['leaks-socket.fixture.js']?.message).toMatch(/socket to 127\.0\.0\.1:\d+/);
    expect(byName['closes-everything.fixture.js']?.status).toBe('passed');
  }, 60_000);

  it('passes a file that closes what it opened, and the run exits by itself', async () => {
    const run = await clean;

    expect(run.results).toEqual([expect.objectContaining({ name: 'closes-everything.fixture.js', status: 'passed' })]);
    expect(run.status).toBe(0);
  }, 60_000);
});
