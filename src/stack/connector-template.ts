import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StackError } from './errors';
import { REPO_ROOT } from './stack-layout';

/** The one connector template, rendered for the local stack and for docker/compose.yml. */
export const CONNECTOR_TEMPLATE = path.join(REPO_ROOT, 'docker', 'connector', 'ixc-mariadb-cdc.json.tmpl');

/** Values the template asks for; hosts and ports are as Connect sees them. */
export interface ConnectorTemplateValues {
  DB_HOST: string;
  DB_PORT: string;
  DB_USER: string;
  /**
   * A Kafka Connect config provider reference (`${file:<path>:<key>}`, `${env:<VAR>}`) that Connect
   * resolves when it starts the task: the password itself never enters the connector config, which
   * Connect stores in its config topic and returns from `GET /connectors/<name>/config`.
   */
  DB_PASSWORD_REF: string;
  DB_NAME: string;
  TOPIC_PREFIX: string;
  KAFKA_BOOTSTRAP: string;
  SCHEMA_HISTORY_TOPIC: string;
  HEARTBEAT_TOPIC_PREFIX: string;
  TOPIC_REPLICATION_FACTOR: string;
}

export type ConnectorConfig = Readonly<Record<string, string>>;

/**
 * Replaces every `${NAME}` with its JSON-escaped value and returns the flat config map for
 * `PUT /connectors/<name>/config`. An unknown or missing placeholder is an error, not an empty string.
 */
export function renderConnectorConfig(values: ConnectorTemplateValues, template = readFileSync(CONNECTOR_TEMPLATE, 'utf8')): ConnectorConfig {
  if (!isConfigProviderRef(values.DB_PASSWORD_REF)) {
    throw new StackError('The connector password must be a Kafka Connect config provider reference (${file:<path>:<key>} or ${env:<VAR>}), never the password itself');
  }
  const known = values as unknown as Record<string, string | undefined>;
  const rendered = template.replace(/\$\{([A-Z0-9_]+)\}/g, (_match, name: string) => {
    const value = known[name];
    if (value === undefined || value === '') throw new StackError(`Connector template needs a value for \${${name}}`);
    return JSON.stringify(value).slice(1, -1);
  });
  const parsed = JSON.parse(rendered) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new StackError('Connector template is not a JSON object');
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw new StackError(`Connector setting ${key} must be a string`);
  }
  return parsed as ConnectorConfig;
}

/** `${provider:path:key}` or `${provider:key}`, as Kafka Connect's ConfigTransformer reads them. */
function isConfigProviderRef(value: string): boolean {
  return /^\$\{[a-z][A-Za-z0-9_.-]*:[^{}]+\}$/.test(value);
}

/** The schema-history topic of a topic prefix (Debezium's internal DDL log; consumers never read it). */
export function schemaHistoryTopic(topicPrefix: string): string {
  return `schemahistory.${topicPrefix}`;
}
