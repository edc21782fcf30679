import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type KafkaConfig as KafkaClientConfig } from 'kafkajs';
import { StackStartError } from './errors';
import { jvmArgs } from './jvm-options';
import { runningPid, startManagedProcess, type ManagedProcessSpec } from './managed-process';
import type { StackLayout } from './stack-layout';

interface KafkaBrokerOptions {
  port: number;
  controllerPort: number;
  readyTimeoutMs: number;
  /** Listener lines replacing the plaintext ones (`stack up --secure`). */
  listenerLines?: readonly string[];
  /** Extra `kafka-storage format` arguments (the secured stack's SCRAM users). */
  formatArgs?: readonly string[];
  /** How the stack's own client authenticates to the broker. */
  security?: Pick<KafkaClientConfig, 'ssl' | 'sasl'>;
}

/** Single-node KRaft: broker and controller in one JVM. */
export function kafkaProcessSpec(layout: StackLayout): ManagedProcessSpec {
  return {
    command: 'java',
    args: [...jvmArgs(layout, { minMb: 128, maxMb: 512 }), 'kafka.Kafka', layout.serverProperties],
    pidFile: layout.pidFile('kafka'),
    logFile: layout.logFile('kafka'),
    marker: layout.serverProperties,
  };
}

export function renderServerProperties(layout: StackLayout, options: KafkaBrokerOptions): string {
  const { port, controllerPort } = options;
  return [
    '# Rendered by `ixc-iot-sync stack up`; edits are overwritten.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    ...(options.listenerLines ?? [
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    ]),
    `log.dirs=${layout.kraftData}`,
    'num.partitions=1',
    'default.replication.factor=1',
    '# Topics are created on purpose: by Connect (topic.creation.default.*) or by `stack up`.',
    'auto.create.topics.enable=false',
    '# One node: every internal topic needs replication factor 1, or consumer groups never get a coordinator.',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=168',
    '',
  ].join('\n');
}

/** Formats the KRaft log dir once, starts the broker unless it runs, and waits until a client can list topics. */
export async function startKafka(layout: StackLayout, options: KafkaBrokerOptions): Promise<'started' | 'running'> {
  const spec = kafkaProcessSpec(layout);
  if (runningPid(spec.pidFile, spec.marker) !== null) return 'running';
  // Mode 0600: the secured stack's properties hold the broker's SASL users and store password.
  writeFileSync(layout.serverProperties, renderServerProperties(layout, options), { mode: 0o600 });
  chmodSync(layout.serverProperties, 0o600);
  if (!existsSync(path.join(layout.kraftData, 'meta.properties'))) {
    mkdirSync(layout.kraftData, { recursive: true });
    const clusterId = newClusterId();
    const format = spawnSync(
      'java',
      [...jvmArgs(layout, { minMb: 64, maxMb: 256 }), 'kafka.tools.StorageTool', 'format', '--standalone', '--ignore-formatted',
        '-t', clusterId, '-c', layout.serverProperties, ...(options.formatArgs ?? [])],
      { encoding: 'utf8' },
    );
    writeFileSync(layout.logFile('kafka'), `${format.stdout}${format.stderr}`, { flag: 'a' });
    if (format.status !== 0) {
      const tail = `${format.stdout}${format.stderr}`.trim().split('\n').slice(-3).join(' | ');
      throw new StackStartError(`Formatting the KRaft log dir failed (${tail}); see ${layout.logFile('kafka')}`);
    }
  }
  startManagedProcess(spec);
  await waitUntil(
    () => brokerAnswers(options.port, options.security),
    { timeoutMs: options.readyTimeoutMs, isAlive: () => runningPid(spec.pidFile, spec.marker) !== null, what: 'the Kafka broker', log: spec.logFile },
  );
  return 'started';
}

/** True when the broker answers a metadata request. */
async function brokerAnswers(port: number, security: Pick<KafkaClientConfig, 'ssl' | 'sasl'> = {}): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'ixc-iot-sync-stack',
    brokers: [`127.0.0.1:${port}`],
    ...security,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Polls `check` until true; fails early when the process died and names its log. */
export async function waitUntil(
  check: () => Promise<boolean>,
  options: { timeoutMs: number; isAlive: () => boolean; what: string; log: string; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (!options.isAlive()) throw new StackStartError(`${options.what} exited during start; see ${options.log}`);
    if (Date.now() > deadline) throw new StackStartError(`${options.what} was not ready within ${options.timeoutMs} ms; see ${options.log}`);
    await sleep(options.intervalMs ?? 250);
  }
}

/**
 * 16 random bytes, base64url without padding: a KRaft cluster id without starting a JVM for it.
 * An id starting with '-' is read as an option by the storage tool (Kafka's own Uuid.randomUuid
 * re-draws those too), which failed one start in 64.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
