import type { AppConfig } from '../config/app-config';
import { isLoopbackHost } from '../lib/loopback';

function hostPort(value: string): { host: string; port: number | undefined } {
  try {
    const url = new URL(value.includes('://') ? value : `tcp://${value}`);
    return { host: url.hostname, port: url.port === '' ? undefined : Number(url.port) };
  } catch {
    return { host: value, port: undefined };
  }
}

/**
 * Why the demo must not run with this configuration: it migrates the database, overwrites the
 * integration's credentials, deletes its licence rows and reconciles every contract, so it runs
 * only against the local stack it starts (loopback hosts, the stack's own ports). One problem per
 * variable pointing elsewhere; empty when the configuration is the local stack's.
 */
export function demoTargetProblems(config: Readonly<AppConfig>): string[] {
  const problems: string[] = [];
  const elsewhere = (variable: string, value: string, expected: string): void => {
    problems.push(`${variable}=${value} points away from the demo's local stack (${expected}): the demo overwrites what it finds there; unset it, or use a shell without production settings`);
  };
  const { stack } = config;
  if (!isLoopbackHost(config.db.host)) elsewhere('IXC_DB_HOST', config.db.host, 'a loopback host');
  else if (config.db.port !== stack.dbPort) elsewhere('IXC_DB_PORT', String(config.db.port), `CDC_DB_PORT=${stack.dbPort}`);
  const brokers = config.kafka.brokers.filter((b) => {
    const { host, port } = hostPort(b);
    return !isLoopbackHost(host) || port !== stack.kafkaPort;
  });
  if (brokers.length > 0) elsewhere('KAFKA_BROKERS', config.kafka.brokers.join(','), `127.0.0.1:${stack.kafkaPort}, CDC_KAFKA_PORT`);
  const connect = hostPort(config.connect.url);
  if (!isLoopbackHost(connect.host) || connect.port !== stack.connectPort) {
    elsewhere('CONNECT_URL', config.connect.url, `http://127.0.0.1:${stack.connectPort}, CDC_CONNECT_PORT`);
  }
  const platform = config.iot.baseUrl === undefined ? undefined : hostPort(config.iot.baseUrl);
  if (platform !== undefined && !isLoopbackHost(platform.host)) elsewhere('IOT_BASE_URL', config.iot.baseUrl ?? '', 'the demo starts its own sandbox');
  return problems;
}
