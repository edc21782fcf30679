import mysql from 'mysql2/promise';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { databaseSsl } from '../entities/database-tls';
import { allMigrations } from './all-migrations';
import { q } from './schema-names';

export interface MigrationResult {
  applied: string[];
}

/** `start` without DDL found migrations to apply: the operator runs `migrate` with a DDL-capable user. */
export class SchemaOutdatedError extends Error {
  readonly pending: readonly string[];
  constructor(pending: readonly string[]) {
    super(
      `the database schema is not up to date (${pending.length} migration(s) pending: ${pending.join(', ')}): ` +
        'run `ixc-iot-sync migrate` as a user with DDL grants, or start with --migrate (MIGRATE_ON_START=true)',
    );
    this.name = 'SchemaOutdatedError';
    this.pending = pending;
  }
}

/**
 * Names of the migrations not yet applied, read without any DDL (a worker user without DDL grants
 * may call it). A missing schema or migrations table means all of them.
 */
export async function pendingMigrations(db: DatabaseConfig): Promise<string[]> {
  const all = allMigrations({ ixcDatabase: db.ixcDatabase, syncSchema: db.syncSchema }).map((M) => new M().name ?? M.name);
  const conn = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password });
  try {
    const [rows] = await conn.query(`SELECT name FROM ${q(db.syncSchema)}.\`schema_migrations\``);
    const applied = new Set((rows as Array<{ name: string }>).map((r) => r.name));
    return all.filter((name) => !applied.has(name));
  } catch (thrown) {
    const code = (thrown as { code?: string }).code;
    if (code === 'ER_NO_SUCH_TABLE' || code === 'ER_BAD_DB_ERROR') return all;
    throw thrown;
  } finally {
    await conn.end();
  }
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
