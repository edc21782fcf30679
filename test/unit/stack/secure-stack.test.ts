import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderConnectProperties } from '../../../src/stack/kafka-connect';
import { renderServerProperties } from '../../../src/stack/kafka-broker';
import { assertStackMode, propertiesLine, secureConnectorSettings, secureListenerLines, type SecureMaterial } from '../../../src/stack/secure-stack';
import { createStackLayout } from '../../../src/stack/stack-layout';

const layout = createStackLayout('/srv/cdc');
const material: SecureMaterial = {
  caPem: '/srv/cdc/config/tls/ca.pem',
  serverCert: '/srv/cdc/config/tls/server.pem',
  serverKey: '/srv/cdc/config/tls/server.key',
  brokerKeystore: '/srv/cdc/config/tls/broker.p12',
  truststore: '/srv/cdc/config/tls/truststore.p12',
  storePassword: 'STORE-PW',
  brokerPassword: 'BROKER-PW',
  connectPassword: 'CONNECT-PW',
  adminPassword: 'ADMIN-PW',
  workerKafkaPassword: 'WORKER-PW',
  workerKafkaPasswordFile: '/srv/cdc/config/secrets/kafka-worker.password',
  workerDbPassword: 'DB-PW',
  connectSecretsFile: layout.connectorSecrets,
  workerEnvFile: '/srv/cdc/secure.env',
};

describe('the secured local stack', () => {
  it('offers the broker to clients only on a SASL_SSL listener', () => {
    const props = renderServerProperties(layout, { port: 9092, controllerPort: 9093, readyTimeoutMs: 1, listenerLines: secureListenerLines(material, 9092, 9093) });
    expect(props).toContain('listeners=SASL_SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    expect(props).toContain('listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL');
    expect(props).not.toMatch(/PLAINTEXT:\/\//);
    expect(props).toContain('sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512');
  });

  it('configures Connect with config providers fenced to the stack config directory and DEBEZIUM_DB_PASSWORD', () => {
    const props = renderConnectProperties(layout, { port: 8083, kafkaPort: 9092, readyTimeoutMs: 1 });
    expect(props).toContain('config.providers=file,env');
    expect(props).toContain('config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider');
    expect(props).toContain(`config.providers.file.param.allowed.paths=${layout.configDir}`);
    expect(props).toContain('config.providers.env.param.allowlist.pattern=^DEBEZIUM_DB_PASSWORD$');
    expect(props).not.toContain('security.protocol');
  });

  it("gives Connect's own, producer, consumer and admin clients SASL_SSL", () => {
    const props = renderConnectProperties(layout, { port: 8083, kafkaPort: 9092, readyTimeoutMs: 1, kafkaClientSettings: ['security.protocol=SASL_SSL'] });
    for (const prefix of ['', 'producer.', 'consumer.', 'admin.']) expect(props).toMatch(new RegExp(`^${prefix.replace('.', '\\.')}security\\.protocol=SASL_SSL$`, 'm'));
  });

  it('connects Debezium to MariaDB over verified TLS, with every secret a config provider reference', () => {
    const settings = secureConnectorSettings(material);
    expect(settings['database.ssl.mode']).toBe('verify-ca');
    expect(settings['database.ssl.truststore.password']).toBe(`\${file:${layout.connectorSecrets}:truststore.password}`);
    expect(settings['schema.history.internal.producer.security.protocol']).toBe('SASL_SSL');
    expect(settings['schema.history.internal.consumer.sasl.jaas.config']).toBe(`\${file:${layout.connectorSecrets}:kafka.sasl.jaas.config}`);
    const text = JSON.stringify(settings);
    for (const pw of ['STORE-PW', 'BROKER-PW', 'CONNECT-PW', 'ADMIN-PW', 'WORKER-PW', 'DB-PW']) expect(text).not.toContain(pw);
  });

  it('escapes secrets as Java properties values', () => {
    expect(propertiesLine('database.password', 'a=b:c#d!e\\f g\u00e7\n')).toBe('database.password=a\\=b\\:c\\#d\\!e\\\\f g\\u00e7\\n');
    expect(propertiesLine('k', ' leading')).toBe('k=\\ leading');
  });
});

describe('a stack home is plaintext or secured for good', () => {
  it('refuses to switch mode without a reset, naming what to do', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'stack-mode-'));
    const temp = createStackLayout(home);
    mkdirSync(temp.configDir, { recursive: true });
    assertStackMode(temp, true);
    expect(() => assertStackMode(temp, true)).not.toThrow();
    expect(() => assertStackMode(temp, false)).toThrow(/created with --secure.*stack reset/);
    rmSync(home, { recursive: true, force: true });
  });
});
