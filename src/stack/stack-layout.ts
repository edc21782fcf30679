import path from 'node:path';

/** The repository root, both from src/stack (ts-node, jest) and dist/stack (built CLI). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export type StackService = 'mariadb' | 'kafka' | 'connect';

/** Every path the stack reads or writes under its home directory (outside the clone). */
export interface StackLayout {
  home: string;
  lib: string;
  plugins: string;
  /** Java agents (the Prometheus JMX exporter Connect runs with). */
  agents: string;
  configDir: string;
  dataDir: string;
  logsDir: string;
  runDir: string;
  stampFile: string;
  mariadbData: string;
  kraftData: string;
  /** Distributed Connect keeps its state in Kafka; this holds only its scratch files. */
  connectData: string;
  mariadbConfig: string;
  mariadbSocket: string;
  serverProperties: string;
  connectProperties: string;
  log4jProperties: string;
  connectorConfig: string;
  /** The JMX exporter's rules (a copy of docker/connect/jmx-exporter.yml). */
  jmxExporterConfig: string;
  /** Generated once per stack home: the Debezium user's local password. */
  debeziumSecret: string;
  /** Read by Connect's FileConfigProvider: the connector's password and, secured, its other secrets. */
  connectorSecrets: string;
  pidFile(service: StackService): string;
  logFile(service: StackService): string;
}

export function createStackLayout(home: string): StackLayout {
  const abs = path.resolve(home);
  const dir = (...parts: string[]): string => path.join(abs, ...parts);
  return {
    home: abs,
    lib: dir('lib'),
    plugins: dir('plugins'),
    agents: dir('agents'),
    configDir: dir('config'),
    dataDir: dir('data'),
    logsDir: dir('logs'),
    runDir: dir('run'),
    stampFile: dir('versions.json'),
    mariadbData: dir('data', 'mariadb'),
    kraftData: dir('data', 'kraft'),
    connectData: dir('data', 'connect'),
    mariadbConfig: dir('config', 'mariadb.cnf'),
    mariadbSocket: dir('run', 'mariadb.sock'),
    serverProperties: dir('config', 'server.properties'),
    connectProperties: dir('config', 'connect-distributed.properties'),
    log4jProperties: dir('config', 'log4j2.properties'),
    connectorConfig: dir('config', 'ixc-mariadb-cdc.json'),
    jmxExporterConfig: dir('config', 'jmx-exporter.yml'),
    debeziumSecret: dir('config', 'debezium.secret'),
    connectorSecrets: dir('config', 'connector-secrets.properties'),
    pidFile: (service) => dir('run', `${service}.pid`),
    logFile: (service) => dir('logs', `${service}.log`),
  };
}
