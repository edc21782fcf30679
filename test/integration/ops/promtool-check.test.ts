import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';

const run = promisify(execFile);
const PROMETHEUS = path.resolve(__dirname, '../../../docker/prometheus');
/** Debian's `prometheus` package; scripts/install-test-tools.sh (npm's pretest) installs it when missing. */
const PROMTOOL = '/usr/bin/promtool';

async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(PROMTOOL, args);
    return `${stdout}${stderr}`;
  } catch (thrown) {
    const err = thrown as { stdout?: string; stderr?: string; message: string };
    throw new Error(`promtool ${args.join(' ')} failed: ${err.stdout ?? ''}${err.stderr ?? err.message}`, { cause: thrown });
  }
}

/** Prometheus's own checker on the shipped alert rules and scrape configuration. */
describe('promtool check', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the alert rules', async () => {
    const out = await promtool('check', 'rules', path.join(PROMETHEUS, 'alerts.yml'));
    expect(out).toMatch(/SUCCESS: (\d+) rules found/);
    expect(Number(/SUCCESS: (\d+) rules found/.exec(out)?.[1])).toBeGreaterThanOrEqual(17);
  });

  it('passes the Prometheus configuration (paths the compose service mounts, pointed at this clone)', async () => {
    // compose mounts the rules at /etc/prometheus/alerts.yml and writes the token to /prometheus/ops-token;
    // promtool opens both, so the copy points them at this clone and at a scratch token file.
    const config = parse(readFileSync(path.join(PROMETHEUS, 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ authorization?: { credentials_file?: string } }>;
    };
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    config.rule_files = [path.join(PROMETHEUS, 'alerts.yml')];
    writeFileSync(path.join(dir, 'ops-token'), 'test-token');
    for (const job of config.scrape_configs) {
      if (job.authorization?.credentials_file) {
        expect(job.authorization.credentials_file).toBe('/prometheus/ops-token');
        job.authorization.credentials_file = path.join(dir, 'ops-token');
      }
    }
    const file = path.join(dir, 'prometheus.yml');
    writeFileSync(file, stringify(config));
    const out = await promtool('check', 'config', file);
    expect(out).toMatch(/SUCCESS: .*prometheus\.yml is valid prometheus config file syntax/);
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('fails a broken rule (the check is real)', async () => {
    const broken = path.join(dir, 'broken.yml');
    writeFileSync(broken, 'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(rate(x[5m]) >\n');
    await expect(promtool('check', 'rules', broken)).rejects.toThrow(/failed/);
  });
});
