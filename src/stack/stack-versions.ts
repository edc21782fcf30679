/**
 * What the local stack runs. Debezium 3.6.x is not served by Maven Central (newest: 3.5.0.Final,
 * built against Kafka 4.1.1), so the broker and Connect run the same Kafka line Debezium builds
 * against. Changing any value here makes the next `stack up` download again (the stamp differs).
 */
export const STACK_VERSIONS = {
  kafka: '4.1.1',
  debezium: '3.5.0.Final',
  log4j: '2.25.3',
  mavenDependencyPlugin: '3.8.1',
  /** io.prometheus.jmx:jmx_prometheus_javaagent, loaded into Kafka Connect for Debezium's own metrics. */
  jmxExporter: '1.0.1',
} as const;

export type StackVersions = typeof STACK_VERSIONS;
