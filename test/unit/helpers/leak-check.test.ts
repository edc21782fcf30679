import { spawnSync } from 'node:child_process';
import path from 'node:path';

// Runs Jest in a child process on the fixture suites in test/fixtures/leak-check, under the same
// leak-checking environment and global teardown as this repository's projects.
const repo = path.resolve(__dirname, '../../..');
const config = path.join(repo, 'test/fixtures/leak-check/jest.config.js');

interface JestRun {
  status: number | null;
  durationMs: number;
  results: { name: string; status: string; message: string }[];
}

function runFixtures(pattern: string): JestRun {
  const started = Date.now();
  const child = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', config, '--json', pattern], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const report = JSON.parse(child.stdout) as { testResults: { name: string; status: string; message: string }[] };
  return {
    status: child.status,
    durationMs: Date.now() - started,
    results: report.testResults.map(({ name, status, message }) => ({ name: path.basename(name), status, message })),
  };
}

describe('the leak check', () => {
  it('fails a file that leaves an interval or a socket open, names what leaked, and the run still ends', () => {
    const run = runFixtures('fixture');
    const byName = Object.fromEntries(run.results.map((result) => [result.name, result]));

    expect(run.status).toBe(1);
    expect(byName['leaks-interval.fixture.js']?.status).toBe('failed');
    expect(byName['leaks-interval.fixture.js']?.message).toMatch(/setInterval created at .*leaks-interval\.fixture\.js:3/);
    expect(byName['leaks-socket.fixture.js']?.status).toBe('failed');
    expect(byName['leaks-socket.fixture.js']?.message).toMatch(/server on 127\.0\.0\.1:\d+/);
    expect(byName['leaks-socket.fixture.js']?.message).toMatch(/socket to 127\.0\.0\.1:\d+/);
    expect(byName['closes-everything.fixture.js']?.status).toBe('passed');
  }, 60_000);

  it('passes a file that closes what it opened, and the run exits by itself', () => {
    const run = runFixtures('closes-everything');

    expect(run.results).toEqual([expect.objectContaining({ name: 'closes-everything.fixture.js', status: 'passed' })]);
    expect(run.status).toBe(0);
  }, 60_000);
});
