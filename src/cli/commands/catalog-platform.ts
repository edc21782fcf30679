import os from 'node:os';
import type { AppConfig } from '../../config/app-config';
import { createAppDataSource, type AppDataSource } from '../../entities/create-data-source';
import type { Logger } from '../../lib/logger';
import { createApiAuditRecorder, type ApiAuditRecorder } from '../../iot-client/api-audit-recorder';
import { createIntegrationTokenStore } from '../../iot-client/token-store';
import { createIotPlatformClient, type IotPlatformClient } from '../../iot-client/iot-platform-client';
import { iotClientOptionsFromConfig } from '../../iot-client/client-options';

/** What a one-shot CLI command needs to talk to IXC's database and the platform. */
export interface CliPlatform {
  app: AppDataSource;
  client: IotPlatformClient | null;
  audit: ApiAuditRecorder;
  close(): Promise<void>;
}

/** Opens the database; the platform client only when `withClient` (IOT_BASE_URL is then required). */
export async function openCliPlatform(config: Readonly<AppConfig>, logger: Logger, withClient: boolean): Promise<CliPlatform> {
  const app = createAppDataSource(config.db);
  await app.dataSource.initialize();
  const audit = createApiAuditRecorder({ dataSource: app.dataSource, entity: app.sync.ApiAudit, logger }, { instance: `cli@${os.hostname()}` });
  let client: IotPlatformClient | null = null;
  try {
    client = withClient
      ? createIotPlatformClient(
          { tokenStore: createIntegrationTokenStore(app.dataSource, config.iot.integrationId), audit, logger },
          iotClientOptionsFromConfig(config.iot),
        )
      : null;
  } catch (err) {
    await app.dataSource.destroy();
    throw err;
  }
  return {
    app,
    client,
    audit,
    async close() {
      client?.close();
      try {
        await audit.flush();
      } finally {
        await app.dataSource.destroy();
      }
    },
  };
}
