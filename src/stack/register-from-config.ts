import type { AppConfig } from '../config/app-config';
import { changeTopics } from '../consumers/change-topics';
import { kafkaSecurity } from '../lib/kafka-security';
import { renderConnectorConfig, schemaHistoryTopic } from './connector-template';
import { registerConnector } from './register-connector';
import { DEBEZIUM_USER } from './local-stack';

/**
 * Registers the connector where the stack is not ours to start (docker/compose.yml): renders the
 * same template with the hosts Connect sees (CDC_CONNECTOR_*), creates the schema-history and DLQ
 * topics through KAFKA_BROKERS, PUTs the config to CONNECT_URL and waits for RUNNING. The password
 * is CDC_CONNECTOR_PASSWORD_REF, a reference Connect resolves with its own config provider.
 */
export async function registerConnectorFromConfig(
  config: Pick<AppConfig, 'stack' | 'kafka' | 'connect' | 'db'>,
  options: { timeoutMs?: number } = {},
): Promise<{ created: boolean; state: string }> {
  const rendered = renderConnectorConfig({
    DB_HOST: config.stack.connectorDbHost,
    DB_PORT: String(config.stack.connectorDbPort),
    DB_USER: DEBEZIUM_USER,
    DB_PASSWORD_REF: config.stack.connectorPasswordRef,
    DB_NAME: config.db.ixcDatabase,
    TOPIC_PREFIX: config.kafka.topicPrefix,
    KAFKA_BOOTSTRAP: config.stack.connectorKafkaBootstrap,
    SCHEMA_HISTORY_TOPIC: schemaHistoryTopic(config.kafka.topicPrefix),
    HEARTBEAT_TOPIC_PREFIX: config.kafka.heartbeatTopicPrefix,
    TOPIC_REPLICATION_FACTOR: '1',
  });
  const result = await registerConnector({
    connectUrl: config.connect.url,
    connectorName: config.connect.connectorName,
    config: rendered,
    brokers: config.kafka.brokers,
    schemaHistoryTopic: schemaHistoryTopic(config.kafka.topicPrefix),
    extraTopics: [config.kafka.dlqTopic],
    awaitTopics: changeTopics(config.kafka.topicPrefix, config.db.ixcDatabase),
    timeoutMs: options.timeoutMs ?? 300_000,
    security: kafkaSecurity(config.kafka),
  });
  return { created: result.created, state: result.status.connector.state };
}
