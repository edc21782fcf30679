import os from 'node:os';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { AppConfig } from '../../config/app-config';
import { requireSetting } from '../../config/require-setting';
import { createChangeConsumer, type ChangeConsumer } from '../../consumers/create-change-consumer';
import { markBatch } from '../../consumers/mark-batch';
import type { DeadLetterMessage } from '../../consumers/dead-letter';
import { assertDeadLetterTopic } from '../../consumers/dead-letter-topic';
import { createAppDataSource, type AppDataSource } from '../../entities/create-data-source';
import { createReconcileSlots, type ReconcileSlots } from '../../handlers/reconcile-slots';
import { createWorkSet } from '../../handlers/work-set/work-set';
import { reconcileOptionsFromConfig } from '../../handlers/reconcile-options';
import { createApiAuditRecorder } from '../../iot-client/api-audit-recorder';
import { createIntegrationTokenStore } from '../../iot-client/token-store';
import { createIotPlatformClient, type IotPlatformClient } from '../../iot-client/iot-platform-client';
import { iotClientOptionsFromConfig } from '../../iot-client/client-options';
import { purgeApiAudit } from '../../iot-client/api-audit-purge';
import { coerceError } from '../../lib/coerce-error';
import { kafkaSecurity } from '../../lib/kafka-security';
import type { Logger } from '../../lib/logger';
import { pendingMigrations, runMigrations, SchemaOutdatedError } from '../../migrations/run-migrations';
import { bindIotClientEvents, bindReconcileEvents } from '../../ops/ops-bindings';
import { createOps, liveTopics, type Ops } from '../../ops/create-ops';
import { kafkaLogCreator } from './kafka-logger';

/** Audit retention is in days: an hourly purge keeps the table within it. */
const AUDIT_PURGE_INTERVAL_MS = 3_600_000;

export interface WorkerOptions {
  /** Apply pending migrations (DDL) before starting; otherwise refuse an outdated schema. @defaultValue config.db.migrateOnStart */
  migrate?: boolean;
  /** Override of the ops port (0 picks a free one). @defaultValue config.ops.port */
  opsPort?: number;
}

export interface Worker {
  readonly owner: string;
  readonly ops: Ops;
  /** Where the ops server listens, e.g. `http://127.0.0.1:9464`. */
  readonly opsUrl: string;
  /** Graceful and idempotent: stop consuming, drain reconciles within the bound, release leases, commit, disconnect. */
  stop(): Promise<void>;
}

/**
 * The worker process: one change consumer (Debezium topics → durable marks), N reconcile slots
 * (marks → platform → write-back) and the ops port, sharing one database pool. Several processes
 * form one consumer group and share the work set.
 */
export async function startWorker(config: Readonly<AppConfig>, logger: Logger, options: WorkerOptions = {}): Promise<Worker> {
  requireSetting(config.iot.baseUrl, 'IOT_BASE_URL', 'to start the worker');
  const core = reconcileOptionsFromConfig(config);
  const log = logger.child({ module: 'worker' });
  if (options.migrate ?? config.db.migrateOnStart ?? false) {
    const { applied } = await runMigrations(config.db);
    if (applied.length > 0) log.info('migrations applied', { applied });
  } else {
    const pending = await pendingMigrations(config.db);
    if (pending.length > 0) throw new SchemaOutdatedError(pending);
  }

  const cleanups: Array<[string, () => Promise<unknown> | unknown]> = [];
  const app: AppDataSource = createAppDataSource(config.db);
  await app.dataSource.initialize();
  cleanups.push(['database', () => app.dataSource.destroy()]);
  try {
    const controller = new AbortController();
    const audit = createApiAuditRecorder(
      { dataSource: app.dataSource, entity: app.sync.ApiAudit, logger },
      { instance: `${os.hostname()}:${process.pid}` },
    );
    const platform: IotPlatformClient = createIotPlatformClient(
      { tokenStore: createIntegrationTokenStore(app.dataSource, config.iot.integrationId), audit, logger },
      iotClientOptionsFromConfig(config.iot),
    );
    cleanups.push(['platform client', () => platform.close()]);
    cleanups.push(['audit', () => audit.flush()]);

    const kafka = new Kafka({ clientId: config.kafka.clientId, brokers: [...config.kafka.brokers], ...kafkaSecurity(config.kafka), logLevel: logLevel.INFO, logCreator: kafkaLogCreator(logger) });
    const query = (sql: string, params: unknown[]): Promise<unknown> => app.dataSource.query(sql, params);
    const ops = createOps({ config, kafka, query, logger }, options.opsPort !== undefined ? { port: options.opsPort } : {});

    const workSet = createWorkSet(app.dataSource, core.workSet);
    // The slots call catchingUp only once they run, after `consumer` below exists.
    const slots: ReconcileSlots = createReconcileSlots(
      { dataSource: app.dataSource, workSet, platform, logger, onReconcileEnd: () => audit.flush(), catchingUp: () => consumer.catchingUp() },
      { ...core.slots, signal: controller.signal, reconcile: core.reconcile },
    );
    const unbind = [bindReconcileEvents(slots.events, ops.monitor), bindIotClientEvents(platform, ops.monitor)];
    cleanups.push(['ops bindings', () => unbind.forEach((off) => off())]);

    const dlqAdmin = kafka.admin();
    await dlqAdmin.connect();
    try {
      await assertDeadLetterTopic(dlqAdmin, config.kafka.dlqTopic, config.kafka.brokers, config.kafka.tls !== undefined || config.kafka.sasl !== undefined);
    } finally {
      await dlqAdmin.disconnect();
    }
    const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    cleanups.push(['dlq producer', () => producer.disconnect()]);
    const deadLetter = async (messages: DeadLetterMessage[]): Promise<void> => {
      await producer.send({ topic: config.kafka.dlqTopic, acks: -1, messages });
    };

    const consumer: ChangeConsumer = createChangeConsumer(
      {
        kafka,
        logger,
        onCaughtUp: () => slots.nudge(),
        handler: async (chunk) => {
          const result = await markBatch(chunk.decoded, {
            query,
            mark: workSet.mark,
            deadLetter,
            nudge: () => slots.nudge(),
            iotOnly: { syncSchema: config.db.syncSchema },
          });
          ops.monitor.reportBatch(chunk.topic, result);
          if (result.heartbeatTsMs !== null) ops.monitor.reportHeartbeat(result.heartbeatTsMs);
          if (result.deadLettered > 0) log.warn('undecodable or unfit records dead-lettered', { topic: chunk.topic, partition: chunk.partition, count: result.deadLettered });
        },
      },
      {
        groupId: config.kafka.groupId,
        topics: liveTopics(config),
        heartbeatTopicPrefix: config.kafka.heartbeatTopicPrefix,
        maxBytesPerPartition: config.kafka.maxBytesPerPartition,
        catchUp: { backlog: config.reconcile.catchUpBacklog, slots: config.reconcile.catchUpConcurrency },
      },
    );
    let joined = 0;
    consumer.consumer.on(consumer.consumer.events.GROUP_JOIN, () => {
      if (joined++ > 0) ops.monitor.reportRebalance();
    });
    consumer.consumer.on(consumer.consumer.events.CRASH, (event) => {
      // kafkajs restarts the consumer on retriable crashes; a non-retriable one leaves it dead,
      // which /ready reports through lag without progress. Log it where it is decided.
      log.error('consumer crashed', { error: event.payload.error, restart: event.payload.restart });
    });

    ops.monitor.start();
    cleanups.push(['ops monitor', () => ops.monitor.stop()]);
    const opsAddress = await ops.server.start();
    cleanups.push(['ops server', () => ops.server.stop()]);
    slots.start();
    cleanups.push(['reconcile slots', () => slots.stop()]);
    const purge = setInterval(() => {
      purgeApiAudit(app.dataSource, config.db.syncSchema, { retentionDays: config.audit.retentionDays, batchSize: config.audit.purgeBatchSize }).then(
        (deleted) => deleted > 0 && log.info('audit rows past retention purged', { deleted, retentionDays: config.audit.retentionDays }),
        (err: unknown) => log.warn('audit purge failed', { error: coerceError(err) }),
      );
    }, AUDIT_PURGE_INTERVAL_MS);
    purge.unref();
    cleanups.push(['audit purge', () => clearInterval(purge)]);
    await consumer.start();
    cleanups.push(['change consumer', () => consumer.stop()]);
    log.info('worker started', { owner: slots.owner, concurrency: core.slots.concurrency, ops: opsAddress.url });

    let stopping: Promise<void> | undefined;
    return {
      owner: slots.owner,
      ops,
      opsUrl: opsAddress.url,
      stop() {
        stopping ??= (async () => {
          log.info('worker stopping');
          controller.abort();
          await runCleanups(cleanups, log);
          log.info('worker stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await runCleanups(cleanups, log);
    throw err;
  }
}

/** Stops in reverse start order, each step in its own try: one failure does not strand the rest. */
async function runCleanups(cleanups: Array<[string, () => Promise<unknown> | unknown]>, log: Logger): Promise<void> {
  for (const [name, cleanup] of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (thrown) {
      log.warn('cleanup failed', { step: name, error: coerceError(thrown) });
    }
  }
  cleanups.length = 0;
}
