import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KafkaConfig as KafkaClientConfig } from 'kafkajs';
import { StackError, StackPrerequisiteError } from './errors';
import type { StackLayout } from './stack-layout';

/** SCRAM user of the worker on the secured broker, and its TLS-only MariaDB user. */
const SECURE_WORKER_KAFKA_USER = 'ixc-iot-sync';
export const SECURE_WORKER_DB_USER = 'ixc_iot_sync';

/**
 * Everything `stack up --secure` generates once per stack home, under `config/tls` (certificates,
 * stores) and `config/secrets` (passwords, mode 0600). Nothing of it is in the repository.
 */
export interface SecureMaterial {
  caPem: string;
  serverCert: string;
  serverKey: string;
  /** PKCS12 keystore of the broker (server certificate and key). */
  brokerKeystore: string;
  /** PKCS12 truststore with the CA, for Debezium's MariaDB connections. */
  truststore: string;
  storePassword: string;
  /** PLAIN users of the broker: itself (inter-broker), Connect, and the stack's own admin client. */
  brokerPassword: string;
  connectPassword: string;
  adminPassword: string;
  /** SCRAM-SHA-512 password of the worker's Kafka user. */
  workerKafkaPassword: string;
  workerKafkaPasswordFile: string;
  workerDbPassword: string;
  /** Properties file read by Connect's FileConfigProvider (layout.connectorSecrets). */
  connectSecretsFile: string;
  /** The worker's settings for this stack, `KEY=value` lines (mode 0600). */
  workerEnvFile: string;
}

/** `secure` or `plain`, written at the first `up` of a home: the two kinds share no KRaft data or MariaDB users. */
function modeFile(layout: StackLayout): string {
  return path.join(layout.configDir, 'stack-mode');
}

/** Refuses to turn a plaintext home into a secured one (or back): the broker's SCRAM users exist only from its format. */
export function assertStackMode(layout: StackLayout, secure: boolean): void {
  const file = modeFile(layout);
  const wanted = secure ? 'secure' : 'plain';
  if (existsSync(file)) {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing !== wanted) {
      throw new StackError(
        `The stack in ${layout.home} was created ${existing === 'secure' ? 'with' : 'without'} --secure (CDC_SECURE). ` +
          'Run it the same way, or `stack reset` it first, or use another CDC_HOME.',
      );
    }
    return;
  }
  // A home with data from before the mode file existed is a plaintext one.
  const hadData = existsSync(path.join(layout.kraftData, 'meta.properties'));
  if (hadData && secure) {
    throw new StackError(`The stack in ${layout.home} was created without --secure. Run \`stack reset\` first, or use another CDC_HOME.`);
  }
  writeFileSync(file, `${wanted}\n`);
}

export function prepareSecureMaterial(layout: StackLayout, ports: { dbPort: number; kafkaPort: number }): SecureMaterial {
  const tls = path.join(layout.configDir, 'tls');
  const secrets = path.join(layout.configDir, 'secrets');
  mkdirSync(tls, { recursive: true, mode: 0o700 });
  mkdirSync(secrets, { recursive: true, mode: 0o700 });
  const secret = (name: string): string => {
    const file = path.join(secrets, name);
    if (!existsSync(file)) writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
    return readFileSync(file, 'utf8').trim();
  };
  const material: SecureMaterial = {
    caPem: path.join(tls, 'ca.pem'),
    serverCert: path.join(tls, 'server.pem'),
    serverKey: path.join(tls, 'server.key'),
    brokerKeystore: path.join(tls, 'broker.p12'),
    truststore: path.join(tls, 'truststore.p12'),
    storePassword: secret('store.password'),
    brokerPassword: secret('kafka-broker.password'),
    connectPassword: secret('kafka-connect.password'),
    adminPassword: secret('kafka-admin.password'),
    workerKafkaPassword: secret('kafka-worker.password'),
    workerKafkaPasswordFile: path.join(secrets, 'kafka-worker.password'),
    workerDbPassword: secret('db-worker.password'),
    connectSecretsFile: layout.connectorSecrets,
    workerEnvFile: path.join(layout.home, 'secure.env'),
  };
  if (![material.caPem, material.serverCert, material.serverKey, material.brokerKeystore, material.truststore].every((f) => existsSync(f))) {
    generateCertificates(tls, material);
  }
  writePrivate(
    material.workerEnvFile,
    [
      '# The worker\'s settings for the secured local stack (`stack up --secure`): TLS + SCRAM to Kafka, TLS to MariaDB.',
      `IXC_DB_HOST=127.0.0.1`,
      `IXC_DB_PORT=${ports.dbPort}`,
      `IXC_DB_USER=${SECURE_WORKER_DB_USER}`,
      `IXC_DB_PASSWORD=${material.workerDbPassword}`,
      'IXC_DB_TLS=true',
      `IXC_DB_TLS_CA_FILE=${material.caPem}`,
      `KAFKA_BROKERS=127.0.0.1:${ports.kafkaPort}`,
      'KAFKA_TLS=true',
      `KAFKA_TLS_CA_FILE=${material.caPem}`,
      'KAFKA_SASL_MECHANISM=scram-sha-512',
      `KAFKA_SASL_USERNAME=${SECURE_WORKER_KAFKA_USER}`,
      `KAFKA_SASL_PASSWORD_FILE=${material.workerKafkaPasswordFile}`,
      '',
    ].join('\n'),
  );
  return material;
}

/** A private CA, one server certificate for 127.0.0.1/localhost (broker and MariaDB), a PKCS12 keystore and truststore. */
function generateCertificates(dir: string, m: SecureMaterial): void {
  for (const f of [m.caPem, m.serverCert, m.serverKey, m.brokerKeystore, m.truststore]) rmSync(f, { force: true });
  const caKey = path.join(dir, 'ca.key');
  const csr = path.join(dir, 'server.csr');
  const ext = path.join(dir, 'server.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  const run = (command: string, args: string[]): void => {
    const result = spawnSync(command, args, { encoding: 'utf8' });
    if (result.error) {
      throw new StackPrerequisiteError(`${command} is needed to generate the secured stack's certificates: install it (openssl; keytool comes with the JDK)`, { cause: result.error });
    }
    if (result.status !== 0) throw new StackError(`${command} ${args[0]} failed: ${result.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  };
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', m.caPem, '-days', '825',
    '-subj', '/CN=ixc-iot-sync local stack CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', m.serverKey, '-out', csr, '-subj', '/CN=127.0.0.1']);
  run('openssl', ['x509', '-req', '-in', csr, '-CA', m.caPem, '-CAkey', caKey, '-CAcreateserial', '-out', m.serverCert, '-days', '825', '-extfile', ext]);
  run('openssl', ['pkcs12', '-export', '-in', m.serverCert, '-inkey', m.serverKey, '-certfile', m.caPem, '-name', 'broker',
    '-out', m.brokerKeystore, '-passout', `pass:${m.storePassword}`]);
  run('keytool', ['-importcert', '-noprompt', '-alias', 'ixc-iot-sync-ca', '-file', m.caPem, '-keystore', m.truststore,
    '-storetype', 'PKCS12', '-storepass', m.storePassword]);
  for (const f of [caKey, m.serverKey, m.brokerKeystore, m.truststore]) chmodSync(f, 0o600);
  rmSync(csr, { force: true });
  rmSync(ext, { force: true });
}

/**
 * The broker's listeners: one SASL_SSL listener for every client (worker, Connect, the stack's
 * admin, inter-broker); the KRaft controller stays on its own loopback listener, which serves no
 * client requests. PLAIN for the broker, Connect and the admin; SCRAM-SHA-512 for the worker.
 */
export function secureListenerLines(m: SecureMaterial, port: number, controllerPort: number): string[] {
  return [
    `listeners=SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=SASL_SSL',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL',
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=PLAIN',
    `listener.name.sasl_ssl.plain.sasl.jaas.config=${plainJaas('broker', m.brokerPassword, {
      broker: m.brokerPassword,
      connect: m.connectPassword,
      admin: m.adminPassword,
    })}`,
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${m.brokerKeystore}`,
    `ssl.keystore.password=${m.storePassword}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${m.caPem}`,
  ];
}

/** `kafka-storage format` arguments that create the worker's SCRAM credentials with the log dir. */
export function scramFormatArgs(m: SecureMaterial): string[] {
  return ['--add-scram', `SCRAM-SHA-512=[name=${SECURE_WORKER_KAFKA_USER},password=${m.workerKafkaPassword}]`];
}

/** Connect's client settings for the SASL_SSL broker (prefixed for its producers, consumers and admin by kafka-connect.ts). */
export function secureConnectClientSettings(m: SecureMaterial): string[] {
  return [
    'security.protocol=SASL_SSL',
    'sasl.mechanism=PLAIN',
    `sasl.jaas.config=${plainJaas('connect', m.connectPassword)}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${m.caPem}`,
  ];
}

/**
 * What the connector adds on the secured stack: TLS to MariaDB with the server certificate
 * verified against the CA, and SASL_SSL for its schema-history clients. Secrets are references to
 * the FileConfigProvider's file, like the database password.
 */
export function secureConnectorSettings(m: SecureMaterial): Record<string, string> {
  const ref = (key: string): string => `\${file:${m.connectSecretsFile}:${key}}`;
  const kafkaClient = (prefix: string): Record<string, string> => ({
    [`${prefix}security.protocol`]: 'SASL_SSL',
    [`${prefix}sasl.mechanism`]: 'PLAIN',
    [`${prefix}sasl.jaas.config`]: ref('kafka.sasl.jaas.config'),
    [`${prefix}ssl.truststore.type`]: 'PEM',
    [`${prefix}ssl.truststore.location`]: m.caPem,
  });
  return {
    'database.ssl.mode': 'verify-ca',
    'database.ssl.truststore': m.truststore,
    'database.ssl.truststore.password': ref('truststore.password'),
    ...kafkaClient('schema.history.internal.producer.'),
    ...kafkaClient('schema.history.internal.consumer.'),
  };
}

/** The secured stack's entries of the connector's secrets file (layout.connectorSecrets). */
export function secureConnectorSecrets(m: SecureMaterial): string[] {
  return [propertiesLine('truststore.password', m.storePassword), propertiesLine('kafka.sasl.jaas.config', plainJaas('connect', m.connectPassword))];
}

/** MariaDB's server certificate (same CA as the broker). */
export function secureMariadbLines(m: SecureMaterial): string[] {
  return ['# TLS (stack up --secure); the worker and Debezium users REQUIRE SSL.', `ssl_ca=${m.caPem}`, `ssl_cert=${m.serverCert}`, `ssl_key=${m.serverKey}`];
}

/** The stack's own Kafka client (topic creation, readiness) on the secured broker. */
export function secureAdminKafkaSecurity(m: SecureMaterial): Pick<KafkaClientConfig, 'ssl' | 'sasl'> {
  return {
    ssl: { ca: [readFileSync(m.caPem, 'utf8')], rejectUnauthorized: true },
    sasl: { mechanism: 'plain', username: 'admin', password: m.adminPassword },
  };
}

function plainJaas(username: string, password: string, users: Record<string, string> = {}): string {
  const extra = Object.entries(users).map(([u, p]) => ` user_${u}="${p}"`).join('');
  return `org.apache.kafka.common.security.plain.PlainLoginModule required username="${username}" password="${password}"${extra};`;
}

/** One `key=value` line of a Java properties file, escaped as Properties.load reads it. */
export function propertiesLine(key: string, value: string): string {
  const escape = (s: string, isKey: boolean): string =>
    s.replace(/[\\\s=:#!]|[^\x20-\x7e]/g, (c, offset: number) => {
      if (c === '\\') return '\\\\';
      if (c === '\n') return '\\n';
      if (c === '\r') return '\\r';
      if (c === '\t') return '\\t';
      if (c === ' ') return isKey || offset === 0 ? '\\ ' : ' ';
      if ('=:#!'.includes(c)) return `\\${c}`;
      return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    });
  return `${escape(key, true)}=${escape(value, false)}`;
}

export function writePrivate(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}
