import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../../src/config/config-error';
import { loadConfig } from '../../../src/config/load-config';
import { databaseSsl } from '../../../src/entities/database-tls';
import { kafkaSecurity } from '../../../src/lib/kafka-security';

const dir = mkdtempSync(path.join(os.tmpdir(), 'transport-security-'));
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const CA = file('ca.pem', '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
const CERT = file('client.pem', '-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n');
const KEY = file('client.key', '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n');
const PASSWORD_FILE = file('sasl.password', 's3cr3t-from-file\n');

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  return '';
}

describe('Kafka TLS and SASL settings', () => {
  it('are off by default: plaintext, no SASL', () => {
    const config = loadConfig({});
    expect(config.kafka.tls).toBeUndefined();
    expect(config.kafka.sasl).toBeUndefined();
    expect(kafkaSecurity(config.kafka)).toEqual({});
  });

  it('give every kafkajs client TLS with the CA, a client certificate and verification on by default', () => {
    const config = loadConfig({ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: CA, KAFKA_TLS_CERT_FILE: CERT, KAFKA_TLS_KEY_FILE: KEY, KAFKA_TLS_KEY_PASSWORD: 'pp' });
    expect(kafkaSecurity(config.kafka)).toEqual({
      ssl: { rejectUnauthorized: true, ca: [expect.stringContaining('CA')], cert: expect.stringContaining('CLIENT'), key: expect.stringContaining('KEY'), passphrase: 'pp' },
    });
    expect(kafkaSecurity(loadConfig({ KAFKA_TLS: 'true', KAFKA_TLS_VERIFY: 'false' }).kafka).ssl).toEqual({ rejectUnauthorized: false });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('SASL %s with the password inline or from KAFKA_SASL_PASSWORD_FILE', (mechanism) => {
    const inline = loadConfig({ KAFKA_TLS: 'true', KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'worker', KAFKA_SASL_PASSWORD: 'inline' });
    expect(kafkaSecurity(inline.kafka).sasl).toEqual({ mechanism, username: 'worker', password: 'inline' });
    const fromFile = loadConfig({ KAFKA_TLS: 'true', KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'worker', KAFKA_SASL_PASSWORD_FILE: PASSWORD_FILE });
    expect(kafkaSecurity(fromFile.kafka).sasl).toEqual({ mechanism, username: 'worker', password: 's3cr3t-from-file' });
  });

  it('name the variable of every inconsistent or unreadable setting, without printing a secret', () => {
    const found = problems({
      KAFKA_SASL_MECHANISM: 'gssapi',
      KAFKA_TLS_CA_FILE: CA,
      IXC_DB_TLS_CA_FILE: CA,
    });
    expect(found).toContain('KAFKA_SASL_MECHANISM must be one of none, plain, scram-sha-256, scram-sha-512');
    expect(found).toContain('KAFKA_TLS_CA_FILE is set but KAFKA_TLS is not true');
    expect(found).toContain('IXC_DB_TLS_CA_FILE is set but IXC_DB_TLS is not true');

    const sasl = problems({ KAFKA_SASL_MECHANISM: 'scram-sha-512' });
    expect(sasl).toContain('KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=scram-sha-512');
    expect(sasl).toContain('KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) is required');
    expect(problems({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toContain('KAFKA_SASL_MECHANISM=plain sends the password in clear: set KAFKA_TLS=true');
    expect(problems({ KAFKA_SASL_USERNAME: 'u' })).toContain('KAFKA_SASL_MECHANISM is not');

    const both = problems({ KAFKA_TLS: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'the-inline-secret', KAFKA_SASL_PASSWORD_FILE: PASSWORD_FILE });
    expect(both).toContain('KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE are both set');
    expect(both).not.toContain('the-inline-secret');

    const missing = problems({ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: path.join(dir, 'nope.pem'), KAFKA_TLS_CERT_FILE: CERT, KAFKA_TLS_KEY_PASSWORD_FILE: path.join(dir, 'nope.pass') });
    expect(missing).toContain(`KAFKA_TLS_CA_FILE must name a readable file, got "${path.join(dir, 'nope.pem')}" (ENOENT)`);
    expect(missing).toContain('KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together');
    expect(missing).toMatch(/KAFKA_TLS_KEY_PASSWORD_FILE .*\(ENOENT\)/);
  });
});

describe('MariaDB TLS settings', () => {
  it('are off by default', () => {
    expect(databaseSsl(loadConfig({}).db)).toBeUndefined();
  });

  it('verify the server certificate against the CA unless IXC_DB_TLS_VERIFY=false', () => {
    expect(databaseSsl(loadConfig({ IXC_DB_TLS: 'true', IXC_DB_TLS_CA_FILE: CA }).db)).toEqual({ rejectUnauthorized: true, ca: expect.stringContaining('CA') });
    expect(databaseSsl(loadConfig({ IXC_DB_TLS: 'true' }).db)).toEqual({ rejectUnauthorized: true });
    expect(databaseSsl(loadConfig({ IXC_DB_TLS: 'true', IXC_DB_TLS_VERIFY: 'false' }).db)).toEqual({ rejectUnauthorized: false });
    expect(problems({ IXC_DB_TLS: 'true', IXC_DB_TLS_CA_FILE: path.join(dir, 'absent.pem') })).toContain('IXC_DB_TLS_CA_FILE must name a readable file');
  });
});
