/** The IXC tables the connector captures (docker/connector/ixc-mariadb-cdc.json.tmpl lists the same). */
export const CAPTURED_TABLES = ['cliente', 'cliente_contrato', 'vd_contratos_produtos', 'produtos'] as const;

export type CapturedTable = (typeof CAPTURED_TABLES)[number];

/** Debezium topic of a table: `<topic.prefix>.<database>.<table>`. */
export function changeTopic(topicPrefix: string, database: string, table: string): string {
  return `${topicPrefix}.${database}.${table}`;
}

/** Topics of the captured tables. */
export function changeTopics(topicPrefix: string, database: string, tables: readonly string[] = CAPTURED_TABLES): string[] {
  return tables.map((table) => changeTopic(topicPrefix, database, table));
}

/** Debezium's heartbeat topic: `<heartbeat.topics.prefix>.<topic.prefix>`. */
export function heartbeatTopic(heartbeatTopicPrefix: string, topicPrefix: string): string {
  return `${heartbeatTopicPrefix}.${topicPrefix}`;
}
