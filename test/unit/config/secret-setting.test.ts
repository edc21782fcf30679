import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../../src/config/config-error';
import { loadConfig } from '../../../src/config/load-config';
import { readSecretSetting } from '../../../src/config/secret-setting';
import { maskText } from '../../../src/lib/mask';

const dir = mkdtempSync(path.join(os.tmpdir(), 'secret-setting-'));
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe('secrets from NAME or NAME_FILE', () => {
  const SECRETS = [
    ['IXC_DB_PASSWORD', (c: ReturnType<typeof loadConfig>) => c.db.password],
    ['IOT_CLIENT_SECRET', (c: ReturnType<typeof loadConfig>) => c.iot.clientSecret],
    ['OPS_TOKEN', (c: ReturnType<typeof loadConfig>) => c.ops.token],
    ['DEBEZIUM_DB_PASSWORD', (c: ReturnType<typeof loadConfig>) => c.stack.debeziumPassword],
    ['SANDBOX_CLIENT_SECRET', (c: ReturnType<typeof loadConfig>) => c.sandbox.clientSecret],
  ] as const;

  it.each(SECRETS)('%s_FILE is read, without its trailing newline', (name, pick) => {
    const value = `from-file-${name.toLowerCase()}`;
    expect(pick(loadConfig({ [`${name}_FILE`]: file(name, `${value}\n`) }))).toBe(value);
    expect(pick(loadConfig({ [name]: `${value}-env` }))).toBe(`${value}-env`);
  });

  it('refuses both set, a missing file and an empty file, naming the variable and never the value', () => {
    let thrown: unknown;
    try {
      loadConfig({
        IOT_CLIENT_SECRET: 'both-set-secret-value',
        IOT_CLIENT_SECRET_FILE: file('both', 'x'),
        OPS_TOKEN_FILE: path.join(dir, 'missing'),
        IXC_DB_PASSWORD_FILE: file('empty', '\n'),
      });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems.join('\n');
    expect(problems).toContain('IOT_CLIENT_SECRET and IOT_CLIENT_SECRET_FILE are both set');
    expect(problems).toMatch(/OPS_TOKEN_FILE names a file that cannot be read \(ENOENT\)/);
    expect(problems).toContain('IXC_DB_PASSWORD_FILE names an empty file');
    expect(problems).not.toContain('both-set-secret-value');
  });

  it('registers every value read with the masker, whatever text carries it later', () => {
    const { value } = readSecretSetting({ KAFKA_SASL_PASSWORD_FILE: file('sasl', 'sasl-pass-Zq81') }, 'KAFKA_SASL_PASSWORD');
    expect(value).toBe('sasl-pass-Zq81');
    expect(maskText('connect failed for user worker with sasl-pass-Zq81')).not.toContain('sasl-pass-Zq81');
    readSecretSetting({ IXC_DB_PASSWORD: 'env-pass-Lp09' }, 'IXC_DB_PASSWORD');
    expect(maskText('Access denied (env-pass-Lp09)')).toBe('Access denied ([REDACTED])');
  });
});
