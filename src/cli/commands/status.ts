import { InvalidArgumentError, type Command } from 'commander';
import { heartbeatTopic } from '../../consumers/change-topics';
import { createAppDataSource } from '../../entities/create-data-source';
import { createWorkSet } from '../../handlers/work-set/work-set';
import { reconcileOptionsFromConfig } from '../../handlers/reconcile-options';
import { findOrphans, formatOrphan, orphanDestructive } from '../../handlers/orphans/find-orphans';
import { createIntegrationTokenStore } from '../../iot-client/token-store';
import { createIotPlatformClient, type IotPlatformClient } from '../../iot-client/iot-platform-client';
import { iotClientOptionsFromConfig } from '../../iot-client/client-options';
import { coerceError } from '../../lib/coerce-error';
import { explainContract } from '../../ops/contract-report';
import { createOps } from '../../ops/create-ops';
import { lastRecordTime } from '../../ops/last-record-time';
import { formatContractReport, formatStatus } from '../../ops/status-text';
import type { CliContext } from '../cli-context';

/** Workers whose heartbeat row is younger than this count as running. */
const LIVE_WORKER_MS = 60_000;

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('The whole pipeline (connector, lag, backlog, parked, failures), or one contract: desired, recorded, platform, plan, audit trail')
    .option('--contract <id>', 'explain one contract', (v) => {
      const id = Number(v);
      if (!Number.isSafeInteger(id) || id <= 0) throw new InvalidArgumentError(`--contract must be a positive integer, got "${v}"`);
      return id;
    })
    .option('--json', 'print JSON (personal data masked)')
    .option('--orphans', 'platform subscriptions of this tenant with no live contract in IXC (looked up by external reference)')
    .action(async (opts: { contract?: number; json?: boolean; orphans?: boolean }) => {
      const config = ctx.config();
      const { dataSource } = createAppDataSource({ ...config.db, poolSize: 2 });
      await dataSource.initialize();
      try {
        if (opts.orphans) {
          const reconcile = reconcileOptionsFromConfig(config).reconcile;
          if (!config.iot.baseUrl) throw new Error('IOT_BASE_URL is required to look orphans up on the platform');
          const platform = createIotPlatformClient(
            { tokenStore: createIntegrationTokenStore(dataSource, config.iot.integrationId), logger: ctx.logger() },
            { ...iotClientOptionsFromConfig(config.iot), maxAttempts: 2 },
          );
          try {
            const orphans = await findOrphans(dataSource, platform, { tenantId: reconcile.tenantId, syncSchema: config.db.syncSchema });
            if (opts.json) ctx.print(JSON.stringify({ orphans, destructive: orphanDestructive(orphans) }, null, 2));
            else {
              for (const o of orphans) ctx.print(formatOrphan(o));
              ctx.print(`${orphans.length} orphan subscription(s)${orphans.length ? '; `reconcile --orphans --confirm` cancels them' : ''}`);
            }
          } finally {
            platform.close();
          }
          return;
        }
        if (opts.contract !== undefined) {
          let platform: IotPlatformClient | null = null;
          if (config.iot.baseUrl) {
            platform = createIotPlatformClient(
              { tokenStore: createIntegrationTokenStore(dataSource, config.iot.integrationId), logger: ctx.logger() },
              { ...iotClientOptionsFromConfig(config.iot), maxAttempts: 2 },
            );
          }
          let reconcile = null;
          try {
            reconcile = reconcileOptionsFromConfig(config).reconcile;
          } catch {
            // No tenant id: the report says the desired state cannot be built.
          }
          try {
            const report = await explainContract({ dataSource, platform }, opts.contract, { syncSchema: config.db.syncSchema, reconcile });
            if (opts.json) ctx.print(JSON.stringify(report, null, 2));
            else for (const line of formatContractReport(report)) ctx.print(line);
          } finally {
            platform?.close();
          }
          return;
        }

        const kafka = ctx.kafka('status', { retries: 2 });
        const ops = createOps({ config, kafka, query: (sql, params) => dataSource.query(sql, params), logger: ctx.logger() });
        const admin = kafka.admin();
        try {
          await ops.monitor.refresh();
          let heartbeatWrittenAt: number | null = null;
          try {
            await admin.connect();
            heartbeatWrittenAt = await lastRecordTime(
              { kafka, admin },
              heartbeatTopic(config.kafka.heartbeatTopicPrefix, config.kafka.topicPrefix),
              `${config.kafka.groupId}.status`,
            );
            if (heartbeatWrittenAt !== null) ops.monitor.reportHeartbeat(heartbeatWrittenAt);
          } catch (thrown) {
            ctx.logger().warn('heartbeat topic unreadable', { error: coerceError(thrown) });
          }
          const liveWorkers = await createWorkSet(dataSource, { syncSchema: config.db.syncSchema })
            .liveWorkers(LIVE_WORKER_MS)
            .catch(() => [] as string[]);
          const doc = await ops.monitor.status();
          if (opts.json) ctx.print(JSON.stringify({ ...doc, heartbeatWrittenAt, liveWorkers }, null, 2));
          else for (const line of formatStatus(doc, { heartbeatWrittenAt, liveWorkers })) ctx.print(line);
        } finally {
          await admin.disconnect().catch(() => undefined);
          await ops.monitor.stop();
        }
      } finally {
        await dataSource.destroy().catch(() => undefined);
      }
    });
}
