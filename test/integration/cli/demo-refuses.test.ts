import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../helpers/reconcile-cli';

describe('demo in a shell with production settings', () => {
  it('refuses before touching anything, naming the variables', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'demo-refuses-'));
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(IXC_|KAFKA_|CONNECT|IOT_|SYNC_|OPS_|CDC_|SANDBOX_)/.test(k)) env[k] = v;
    const { code, stdout, stderr } = await runCli(['demo'], {
      ...env,
      CDC_HOME: home,
      IXC_DB_HOST: 'ixc-db.isp.example',
      IXC_DB_USER: 'ixc_iot_sync',
      IXC_DB_PASSWORD: 'prod-db-password-91',
      KAFKA_BROKERS: 'kafka-1.isp.example:9093',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('IXC_DB_HOST=ixc-db.isp.example points away from the demo');
    expect(stderr).toContain('KAFKA_BROKERS=kafka-1.isp.example:9093 points away');
    expect(`${stdout}${stderr}`).not.toContain('prod-db-password-91');
    expect(stdout).not.toContain('Local CDC stack');
    expect(existsSync(home) ? readdirSync(home) : []).toEqual([]);
  });
});
