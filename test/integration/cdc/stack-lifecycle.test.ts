import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load-config';
import { createLocalStack, type LocalStack } from '../../../src/stack/local-stack';
import { isOurs } from '../../../src/stack/managed-process';
import { isPortFree } from '../../../src/stack/port-check';
import { freePorts } from '../../helpers/free-ports';

/**
 * The whole lifecycle on a stack of its own (empty home, free ports), so the shared stack other
 * tests use is never stopped: a fresh `up` loads the fixture and registers the connector, a
 * second `up` is harmless, and `down` leaves no process and no port behind.
 */
describe('local CDC stack lifecycle (isolated stack)', () => {
  let home: string;
  let stack: LocalStack;
  let ports: number[];

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'ixc-stack-life-'));
    ports = await freePorts(4);
    const [db, kafka, controller, connect] = ports.map(String);
    stack = createLocalStack(
      loadConfig({ CDC_HOME: home, CDC_DB_PORT: db, CDC_KAFKA_PORT: kafka, CDC_CONTROLLER_PORT: controller, CDC_CONNECT_PORT: connect }),
    );
  });

  afterAll(async () => {
    await stack?.down();
    rmSync(home, { recursive: true, force: true });
  });

  it('a fresh `up` starts everything, loads the fixture and creates the connector', async () => {
    const result = await stack.up();
    expect(result.started).toEqual(['mariadb', 'kafka', 'connect']);
    expect(result.fixtureLoaded).toBe(true);
    expect(result.connectorCreated).toBe(true);
    const status = await stack.status();
    expect(status.healthy).toBe(true);
    for (const s of status.services) expect(isOurs(s.pid as number, home)).toBe(true);
  });

  it('a second `up` is harmless: nothing restarts, no download, the unchanged connector is left alone', async () => {
    const before = await stack.status();
    const again = await stack.up();
    expect(again).toMatchObject({ started: [], jarsDownloaded: false, fixtureLoaded: false, connectorCreated: false, connectorUpdated: false });
    const after = await stack.status();
    expect(after.services.map((s) => s.pid)).toEqual(before.services.map((s) => s.pid));
    expect(after.healthy).toBe(true);
  });

  it('`down` stops every process it started and frees every port; a second `down` finds nothing', async () => {
    const pids = (await stack.status()).services.map((s) => s.pid as number);
    const stopped = await stack.down();
    expect(Object.values(stopped).every((how) => how === 'terminated' || how === 'killed')).toBe(true);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(processesMentioning(home)).toEqual([]);
    for (const port of ports) expect(await isPortFree(port)).toBe(true);
    const down = await stack.status();
    expect(down.services.every((s) => s.pid === null && !s.listening)).toBe(true);
    expect(down.healthy).toBe(false);

    expect(Object.values(await stack.down())).toEqual(['not-running', 'not-running', 'not-running']);
  });
});

function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Live processes whose command line mentions `text` (every stack process names its home). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(text) && alive(Number(entry))) found.push(`${entry}: ${cmdline.slice(0, 200)}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
