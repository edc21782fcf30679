import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { loadConfig } from '../src/config/load-config';
import type { AppConfig } from '../src/config/app-config';
import { runMigrations } from '../src/migrations/run-migrations';
import { createLocalStack, type LocalStack } from '../src/stack/local-stack';
import { freePorts } from '../test/helpers/free-ports';
import { startSandboxProcess, type SandboxProcess } from '../test/helpers/sandbox-process';
import { startWorkerProcess, type WorkerProcess } from '../test/helpers/worker-process';

/** Everything a chaos case needs: its own CDC stack, the sandbox, a database pool and workers. */
export interface ChaosEnv {
  readonly config: Readonly<AppConfig>;
  readonly stack: LocalStack;
  readonly stackEnv: Record<string, string>;
  readonly db: mysql.Pool;
  readonly kafka: Kafka;
  readonly sandbox: SandboxProcess;
  readonly tenant: string;
  readonly syncSchema: string;
  readonly groupId: string;
  /** Every worker launched so far, by name (their output is searched for leaks). */
  readonly workers: Map<string, WorkerProcess>;
  launch(name: string, extra?: Record<string, string>): Promise<WorkerProcess>;
  close(): Promise<void>;
}

/**
 * Brings up an ISOLATED local CDC stack (own CDC_HOME under the temp dir, free ports), so the shared
 * stack other tests use is never restarted, plus a sandbox process; workers point at it through env.
 */
export async function createChaosEnv(options: { integrationId: number; report?: (line: string) => void; keepHome?: boolean }): Promise<ChaosEnv> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'ixc-chaos-stack-'));
  const [db, kafka, controller, connect] = (await freePorts(4)).map(String) as [string, string, string, string];
  const stackEnv: Record<string, string> = {
    CDC_HOME: home,
    CDC_DB_PORT: db,
    CDC_KAFKA_PORT: kafka,
    CDC_CONTROLLER_PORT: controller,
    CDC_CONNECT_PORT: connect,
    IXC_DB_PORT: db,
    KAFKA_BROKERS: `127.0.0.1:${kafka}`,
    CONNECT_URL: `http://127.0.0.1:${connect}`,
    CDC_CONNECTOR_DB_PORT: db,
    CDC_CONNECTOR_KAFKA_BOOTSTRAP: `127.0.0.1:${kafka}`,
  };
  const config = loadConfig(stackEnv);
  const stack = createLocalStack(config, options.report ? { report: options.report } : {});
  await stack.up();
  const pool = mysql.createPool({ host: '127.0.0.1', port: Number(db), user: 'root', password: '', database: config.db.ixcDatabase, multipleStatements: true, dateStrings: true, connectionLimit: 4 });
  const kafkaClient = new Kafka({ clientId: `ixc-chaos-${randomBytes(3).toString('hex')}`, brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });
  const sandbox = await startSandboxProcess();
  const tenant = `chaos${randomBytes(3).toString('hex')}`;
  const syncSchema = `ixc_iot_sync_chaos_${randomBytes(3).toString('hex')}`;
  const groupId = `chaos-worker-${randomBytes(4).toString('hex')}`;
  // The IXC IoT tables and the sync schema exist before the world is written (the worker would create them too).
  await runMigrations(loadConfig({ ...stackEnv, SYNC_DB_SCHEMA: syncSchema }).db);
  const workers = new Map<string, WorkerProcess>();
  return {
    config,
    stack,
    stackEnv,
    db: pool,
    kafka: kafkaClient,
    sandbox,
    tenant,
    syncSchema,
    groupId,
    workers,
    async launch(name, extra = {}) {
      const worker = await startWorkerProcess(
        {
          ...stackEnv,
          IOT_BASE_URL: sandbox.url,
          IOT_TENANT_ID: tenant,
          IOT_INTEGRATION_ID: String(options.integrationId),
          SYNC_DB_SCHEMA: syncSchema,
          KAFKA_GROUP_ID: groupId,
          RECONCILE_POLL_INTERVAL_MS: '200',
          LOG_LEVEL: 'info',
          ...extra,
        },
        { startTimeoutMs: 120_000 },
      );
      workers.set(name, worker);
      return worker;
    },
    async close() {
      for (const w of workers.values()) await w.stop().catch(() => undefined);
      await sandbox.stop();
      await pool.end().catch(() => undefined);
      await stack.down();
      if (!options.keepHome) rmSync(home, { recursive: true, force: true });
    },
  };
}
