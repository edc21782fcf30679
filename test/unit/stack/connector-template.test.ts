import { newClusterId } from '../../../src/stack/kafka-broker';
import { CAPTURED_TABLES } from '../../../src/consumers/change-topics';
import { renderConnectorConfig, StackError, type ConnectorTemplateValues } from '../../../src/stack';

const values: ConnectorTemplateValues = {
  DB_HOST: 'mariadb',
  DB_PORT: '3306',
  DB_USER: 'debezium',
  DB_PASSWORD: 'p"a\\ss',
  DB_NAME: 'ixcprovedor',
  TOPIC_PREFIX: 'ixc',
  KAFKA_BOOTSTRAP: 'kafka:9092',
  SCHEMA_HISTORY_TOPIC: 'schemahistory.ixc',
  HEARTBEAT_TOPIC_PREFIX: '__debezium-heartbeat',
  TOPIC_REPLICATION_FACTOR: '1',
};

describe('renderConnectorConfig (docker/connector/ixc-mariadb-cdc.json.tmpl)', () => {
  it('renders the decided connector settings with the given hosts', () => {
    const config = renderConnectorConfig(values);
    expect(config).toMatchObject({
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'database.hostname': 'mariadb',
      'database.port': '3306',
      'schema.history.internal.kafka.bootstrap.servers': 'kafka:9092',
      'snapshot.mode': 'when_needed',
      'topic.creation.default.replication.factor': '1',
      'topic.creation.default.partitions': '1',
      'topic.creation.default.cleanup.policy': 'compact',
      'value.converter.replace.null.with.default': 'false',
    });
    expect(Number(config['poll.interval.ms'])).toBeLessThanOrEqual(200);
    expect(Number(config['heartbeat.interval.ms'])).toBeGreaterThan(0);
  });

  it('captures exactly the tables the consumer subscribes to', () => {
    const tables = renderConnectorConfig(values)['table.include.list']?.split(',').map((t) => t.replace('ixcprovedor\\.', ''));
    expect(tables).toEqual([...CAPTURED_TABLES]);
  });

  it('escapes values as JSON, so quotes and backslashes in a password survive', () => {
    expect(renderConnectorConfig(values)['database.password']).toBe('p"a\\ss');
  });

  it('refuses a template placeholder without a value', () => {
    expect(() => renderConnectorConfig({ ...values, DB_HOST: '' })).toThrow(StackError);
    expect(() => renderConnectorConfig(values, '{"a": "${UNKNOWN}"}')).toThrow(/UNKNOWN/);
  });
});

describe('newClusterId', () => {
  it('never starts with "-", which the storage tool would read as an option', () => {
    for (let i = 0; i < 5000; i += 1) {
      const id = newClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });
});
