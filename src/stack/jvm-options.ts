import type { StackLayout } from './stack-layout';

/**
 * JVM flags for a small development host (2 cores): modest heaps, serial GC and C1 only, which
 * start faster and use less CPU than G1 with the full JIT; the JVMs start one after another.
 */
export function jvmArgs(layout: StackLayout, heap: { minMb: number; maxMb: number }): string[] {
  return [
    `-Xms${heap.minMb}m`,
    `-Xmx${heap.maxMb}m`,
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    // Kafka 4.x logs through Log4j2; the old -Dlog4j.configuration flag is ignored silently.
    `-Dlog4j2.configurationFile=${layout.log4jProperties}`,
    `-Dkafka.logs.dir=${layout.logsDir}`,
    '-cp',
    // Quoted wildcard: the JVM expands it.
    `${layout.lib}/*`,
  ];
}

/** One Log4j2 properties file for broker and Connect: INFO to stdout (the service's log file). */
export function renderLog4jProperties(): string {
  return [
    '# Rendered by `ixc-iot-sync stack up`; edits are overwritten.',
    'status = warn',
    'appender.stdout.type = Console',
    'appender.stdout.name = STDOUT',
    'appender.stdout.layout.type = PatternLayout',
    'appender.stdout.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRefs = stdout',
    'rootLogger.appenderRef.stdout.ref = STDOUT',
    // Chatty at INFO and never needed to diagnose the stack.
    'logger.clients.name = org.apache.kafka.clients',
    'logger.clients.level = WARN',
    'logger.reflections.name = org.reflections',
    'logger.reflections.level = ERROR',
    '',
  ].join('\n');
}
