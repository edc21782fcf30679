import { newClusterId } from '../../../src/stack/kafka-broker';
import { CAPTURED_TABLES } from '../../../src/consumers/change-topics';
import { CONTRACT_STATE_COLUMNS, CUSTOMER_PLATFORM_COLUMNS, LINE_COLUMNS, PRODUCT_LINK_COLUMNS } from '../../../src/consumers/fan-out-plan';
import { renderConnectorConfig, type ConnectorTemplateValues } from '../../../src/stack/connector-template';
import { StackError } from '../../../src/stack/errors';

const values: ConnectorTemplateValues = {
  DB_HOST: 'mariadb',
  DB_PORT: '3306',
  DB_USER: 'debezium',
  DB_PASSWORD_REF: '${file:/home/x/config/connector-secrets.properties:database.password}',
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

  it('emits only the columns the fan-out reads, so snapshot and billing-run records stay small and no other customer data enters Kafka', () => {
    const list = renderConnectorConfig(values)['column.include.list'] ?? '';
    const columns = new Map<string, string[]>();
    for (const pattern of list.split(',')) {
      const match = /^ixcprovedor\\\.([a-z_]+)\\\.\(([a-z_|]+)\)$/.exec(pattern);
      expect(match).not.toBeNull();
      columns.set(match![1]!, match![2]!.split('|').sort());
    }
    const expected = new Map<string, readonly string[]>([
      ['cliente', CUSTOMER_PLATFORM_COLUMNS],
      ['cliente_contrato', CONTRACT_STATE_COLUMNS],
      ['vd_contratos_produtos', LINE_COLUMNS],
      ['produtos', PRODUCT_LINK_COLUMNS],
    ]);
    expect([...columns.keys()].sort()).toEqual([...CAPTURED_TABLES].sort());
    for (const [table, decisive] of expected) expect(columns.get(table)).toEqual(['id', ...decisive].sort());
  });

  it('escapes values as JSON, so quotes and backslashes survive', () => {
    expect(renderConnectorConfig({ ...values, DB_HOST: 'db"a\\b' })['database.hostname']).toBe('db"a\\b');
  });

  it('puts a config provider reference in database.password, never the password: Connect stores the config and returns it from GET /connectors/<name>/config', () => {
    expect(renderConnectorConfig(values)['database.password']).toBe('${file:/home/x/config/connector-secrets.properties:database.password}');
    expect(renderConnectorConfig({ ...values, DB_PASSWORD_REF: '${env:DEBEZIUM_DB_PASSWORD}' })['database.password']).toBe('${env:DEBEZIUM_DB_PASSWORD}');
    for (const literal of ['dbz-dev-only', 'p"a\\ss', '${not a ref', '$' + '{file:}']) {
      expect(() => renderConnectorConfig({ ...values, DB_PASSWORD_REF: literal })).toThrow(/config provider reference/);
    }
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
