import type { Command } from 'commander';
import { changeTopics, heartbeatTopic } from '../../consumers/change-topics';
import { createAppDataSource } from '../../entities/create-data-source';
import { createIntegrationTokenStore } from '../../iot-client/token-store';
import { createIotPlatformClient, type IotPlatformClient } from '../../iot-client/iot-platform-client';
import { iotClientOptionsFromConfig } from '../../iot-client/client-options';
import { coerceError } from '../../lib/coerce-error';
import { maskText } from '../../lib/mask';
import { fetchStatus } from '../../ops/connector-monitor';
import { formatCheckResults, hasFailure } from '../../ops/doctor-check';
import { runDoctor } from '../../ops/doctor';
import type { CliContext } from '../cli-context';

const CONNECT_TIMEOUT_MS = 5_000;

export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description('Check the prerequisites: binlog (ROW, FULL), grants, tables, topics, connector, platform token and linked products')
    .option('--json', 'print the results as JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = ctx.config();
      const { dataSource } = createAppDataSource({ ...config.db, poolSize: 2 });
      const kafka = ctx.kafka('doctor', { retries: 1, requestTimeoutMs: 10_000 });
      let platform: IotPlatformClient | null = null;
      let platformUnavailableReason: string | undefined;
      try {
        platform = createIotPlatformClient(
          { tokenStore: createIntegrationTokenStore(dataSource, config.iot.integrationId), logger: ctx.logger() },
          { ...iotClientOptionsFromConfig(config.iot), maxAttempts: 2 },
        );
      } catch (thrown) {
        platformUnavailableReason = maskText(coerceError(thrown).message);
      }
      const base = config.connect.url.replace(/\/+$/, '');
      const connectorPath = `${base}/connectors/${encodeURIComponent(config.connect.connectorName)}`;

      try {
        const results = await runDoctor(
          {
            openDatabase: async () => {
              await dataSource.initialize();
              return { query: (sql, params) => dataSource.query(sql, params), close: () => dataSource.destroy() };
            },
            connectorStatus: () => fetchStatus(base, config.connect.connectorName, CONNECT_TIMEOUT_MS),
            connectorConfig: async () => {
              const response = await fetch(`${connectorPath}/config`, { signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS) });
              if (!response.ok) return null;
              // Holds the connector's password: only user, host and port are read from it.
              const body = (await response.json()) as Record<string, string>;
              return {
                'database.user': body['database.user'] ?? '',
                'database.hostname': body['database.hostname'] ?? '',
                'database.port': body['database.port'] ?? '',
              };
            },
            listTopics: async () => {
              const admin = kafka.admin();
              try {
                await admin.connect();
                return await admin.listTopics();
              } finally {
                await admin.disconnect().catch(() => undefined);
              }
            },
            platform: platform && {
              fetchToken: () => platform.checkToken(),
              listProducts: () => platform.listProducts(),
            },
            ...(platformUnavailableReason ? { platformUnavailableReason } : {}),
          },
          {
            dbHost: config.db.host,
            dbPort: config.db.port,
            ixcDatabase: config.db.ixcDatabase,
            syncSchema: config.db.syncSchema,
            integrationId: config.iot.integrationId,
            connectUrl: config.connect.url,
            connectorName: config.connect.connectorName,
            changeTopics: changeTopics(config.kafka.topicPrefix, config.db.ixcDatabase),
            heartbeatTopic: heartbeatTopic(config.kafka.heartbeatTopicPrefix, config.kafka.topicPrefix),
            dlqTopic: config.kafka.dlqTopic,
          },
        );
        if (opts.json) ctx.print(JSON.stringify({ ok: !hasFailure(results), checks: results }, null, 2));
        else for (const line of formatCheckResults(results)) ctx.print(line);
        if (hasFailure(results)) process.exitCode = 1;
      } finally {
        platform?.close();
        if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
      }
    });
}
