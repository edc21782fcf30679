import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config';
import { databaseSsl } from '../entities/database-tls';
import { allMigrations } from './all-migrations';
import { q } from './schema-names';

export interface MigrationResult {
  applied: string[];
}

/**
 * Applies pending migrations. The migrations table lives in the project schema, never in IXC's
 * database; `synchronize` is never used. Safe to run any number of times.
 */
export async function runMigrations(db: DatabaseConfig): Promise<MigrationResult> {
  const ssl = databaseSsl(db);
  const bootstrap = new DataSource({ type: 'mysql', host: db.host, port: db.port, username: db.user, password: db.password, ssl });
  await bootstrap.initialize();
  try {
    await bootstrap.query(`CREATE DATABASE IF NOT EXISTS ${q(db.syncSchema)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await bootstrap.destroy();
  }

  const source = new DataSource({
    type: 'mysql',
    host: db.host,
    port: db.port,
    username: db.user,
    password: db.password,
    ssl,
    database: db.syncSchema,
    migrationsTableName: 'schema_migrations',
    migrations: allMigrations({ ixcDatabase: db.ixcDatabase, syncSchema: db.syncSchema }),
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
  });
  await source.initialize();
  try {
    const applied = await source.runMigrations({ transaction: 'each' });
    return { applied: applied.map((m) => m.name) };
  } finally {
    await source.destroy();
  }
}
