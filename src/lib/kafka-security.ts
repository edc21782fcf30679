import { readFileSync } from 'node:fs';
import type { KafkaConfig as KafkaClientConfig, SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../config/app-config';
import { ConfigError } from '../config/config-error';

/**
 * The `ssl` and `sasl` options of every kafkajs client the project creates (worker, CLI commands,
 * replay, dlq, lag monitor, the stack's own admin), from KAFKA_TLS_* and KAFKA_SASL_*. Certificate
 * files are read here, at client creation, so a rotated file is picked up by the next client.
 */
export function kafkaSecurity(kafka: Pick<KafkaConfig, 'tls' | 'sasl'>): Pick<KafkaClientConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaClientConfig, 'ssl' | 'sasl'> = {};
  const { tls, sasl } = kafka;
  if (tls) {
    options.ssl = {
      rejectUnauthorized: tls.verify,
      ...(tls.caFile !== undefined ? { ca: [readSetting('KAFKA_TLS_CA_FILE', tls.caFile)] } : {}),
      ...(tls.certFile !== undefined ? { cert: readSetting('KAFKA_TLS_CERT_FILE', tls.certFile) } : {}),
      ...(tls.keyFile !== undefined ? { key: readSetting('KAFKA_TLS_KEY_FILE', tls.keyFile) } : {}),
      ...(tls.keyPassword !== undefined ? { passphrase: tls.keyPassword } : {}),
    };
  }
  if (sasl) options.sasl = saslOptions(sasl);
  return options;
}

function saslOptions(sasl: NonNullable<KafkaConfig['sasl']>): SASLOptions {
  // Spelled out per mechanism: kafkajs's SASLOptions is a union discriminated by the literal.
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
  }
}

/** Reads a PEM file named by a setting; the error names the variable, never the content. */
export function readSetting(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${variable} must name a readable file, got "${file}" (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`]);
  }
}
