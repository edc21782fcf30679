import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load-config';
import { createLocalStack, type LocalStack } from '../../../src/stack/local-stack';
import { StackDownloadError, StackPortInUseError, StackPrerequisiteError } from '../../../src/stack/errors';
import { isPortFree } from '../../../src/stack/port-check';
import { freePorts } from '../../helpers/free-ports';

/**
 * `stack up` on a machine that cannot run it stops before starting anything, with a message
 * saying what to do. Each case uses its own empty stack home and free ports, so the shared
 * stack is untouched.
 */
describe('stack up fails fast with what to do', () => {
  let home: string;
  let current: LocalStack | undefined;

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'ixc-stack-'));
  });

  afterEach(async () => {
    // Should a case wrongly succeed, stop what it started before its home disappears.
    await current?.down();
    current = undefined;
    rmSync(home, { recursive: true, force: true });
  });

  async function isolatedStack(ports?: number[], env?: NodeJS.ProcessEnv) {
    const [db, kafka, controller, connect] = ports ?? (await freePorts(4));
    const config = loadConfig({
      CDC_HOME: home,
      CDC_DB_PORT: String(db),
      CDC_KAFKA_PORT: String(kafka),
      CDC_CONTROLLER_PORT: String(controller),
      CDC_CONNECT_PORT: String(connect),
    });
    current = createLocalStack(config, env ? { env } : {});
    return { stack: current, ports: [db, kafka, controller, connect] as number[] };
  }

  it('names the port, the service and the setting when a port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const [kafka, controller, connect] = await freePorts(3);
      const { stack } = await isolatedStack([taken, kafka as number, controller as number, connect as number]);
      const failure = stack.up();
      await expect(failure).rejects.toBeInstanceOf(StackPortInUseError);
      await expect(failure).rejects.toThrow(new RegExp(`Port ${taken} \\(mariadb\\).*CDC_DB_PORT`));
      expect((await stack.status()).services.every((s) => s.pid === null)).toBe(true);
    } finally {
      blocker.close();
    }
  });

  it('says to install Java when java is not on PATH', async () => {
    const { stack } = await isolatedStack(undefined, { ...process.env, PATH: path.join(home, 'empty-bin') });
    const failure = stack.up();
    await expect(failure).rejects.toBeInstanceOf(StackPrerequisiteError);
    await expect(failure).rejects.toThrow(/Java is missing.*openjdk-17/);
    expect((await stack.status()).services.every((s) => s.pid === null)).toBe(true);
  });

  it('says Maven Central is unreachable when the download cannot connect', async () => {
    // An empty local repository and a proxy on a closed port: Maven cannot reach Central.
    const mavenOpts = `-Dmaven.repo.local=${path.join(home, 'm2')} -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=9 -Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=9`;
    const { stack, ports } = await isolatedStack(undefined, { ...process.env, MAVEN_OPTS: mavenOpts });
    const failure = stack.up();
    await expect(failure).rejects.toBeInstanceOf(StackDownloadError);
    await expect(failure).rejects.toThrow(/Maven Central is unreachable.*then rerun `stack up`/);
    for (const port of ports) expect(await isPortFree(port)).toBe(true);
  });
});
