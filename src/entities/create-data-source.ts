import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { boundedPoolDriver } from './bounded-pool-driver';
import { IXC_ENTITIES } from './ixc';
import { createSyncEntities, type SyncEntities } from './sync/sync-entities';
import { databaseSsl } from './database-tls';

/** How long a query waits for a pooled connection before failing. */
export const DEFAULT_POOL_WAIT_MS = 15_000;

export interface AppDataSource {
  dataSource: DataSource;
  sync: SyncEntities;
}

/**
 * The runtime connection: IXC's database is the default, the project's tables are addressed by
 * their schema. DATE columns stay strings so IXC's zero dates survive; DECIMAL and BIGINT stay
 * strings so nothing is rounded.
 */
export function createAppDataSource(db: DatabaseConfig): AppDataSource {
  const sync = createSyncEntities(db.syncSchema);
  const dataSource = new DataSource({
    type: 'mysql',
    host: db.host,
    port: db.port,
    username: db.user,
    password: db.password,
    ssl: databaseSsl(db),
    database: db.ixcDatabase,
    entities: [...IXC_ENTITIES, sync.ContractSync, sync.LicenceSync, sync.CustomerSync, sync.ApiAudit],
    synchronize: false,
    migrationsRun: false,
    logging: false,
    charset: 'utf8mb4',
    timezone: 'Z',
    dateStrings: ['DATE'],
    supportBigNumbers: true,
    bigNumberStrings: true,
    poolSize: db.poolSize,
    driver: boundedPoolDriver(db.poolWaitMs ?? DEFAULT_POOL_WAIT_MS),
    // mysql2's promise API captures a stack trace for every query when tracing is on (its default),
    // about 4 % of the worker's CPU in a drain; failures are classified by code, not by stack.
    trace: false,
  });
  return { dataSource, sync };
}
