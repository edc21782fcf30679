import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { DatabaseConfig } from '../../src/config/app-config';

/** The MariaDB server tests that need no CDC create their databases on (the machine's own server). */
export const TEST_DB_SERVER = {
  host: process.env.TEST_DB_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_DB_PORT ?? 3306),
  user: process.env.TEST_DB_USER ?? 'root',
  password: process.env.TEST_DB_PASSWORD ?? '',
};

export const FIXTURE_DIR = path.resolve(__dirname, '../../fixtures/ixc');

export interface TestDatabase {
  db: DatabaseConfig;
  /** A connection to the server (no default database) for assertions. */
  admin: mysql.Connection;
  drop(): Promise<void>;
}

/**
 * A fresh IXC database (schema + seed fixture) and an empty project schema, both with a random
 * suffix so test files never share state. Dropped unless KEEP_TEST_DB=1.
 */
export async function createTestDatabase(options: { seed?: boolean; server?: typeof TEST_DB_SERVER } = {}): Promise<TestDatabase> {
  const server = options.server ?? TEST_DB_SERVER;
  const suffix = randomBytes(4).toString('hex');
  const ixcDatabase = `ixc_test_${suffix}`;
  const syncSchema = `ixc_sync_test_${suffix}`;
  const admin = await mysql.createConnection({ ...server, multipleStatements: true, dateStrings: true });
  await admin.query(`CREATE DATABASE \`${ixcDatabase}\` CHARACTER SET utf8mb4`);
  await loadFixture(admin, ixcDatabase, options.seed ?? true);
  return {
    db: { ...server, ixcDatabase, syncSchema, poolSize: 5 },
    admin,
    async drop() {
      if (process.env.KEEP_TEST_DB !== '1') {
        await admin.query(`DROP DATABASE IF EXISTS \`${ixcDatabase}\``);
        await admin.query(`DROP DATABASE IF EXISTS \`${syncSchema}\``);
      }
      await admin.end();
    },
  };
}

/**
 * The environment of a CLI child process pointed at a test database: this process's environment
 * without the project's own settings (a developer's IXC_/KAFKA_/IOT_… exports must not leak into a
 * test), plus the database settings and `extra`.
 */
export function testDatabaseEnv(db: DatabaseConfig, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(IXC_|KAFKA_|CONNECT|IOT_|SYNC_|OPS_|CDC_)/.test(k)) env[k] = v;
  return {
    ...env,
    IXC_DB_HOST: db.host,
    IXC_DB_PORT: String(db.port),
    IXC_DB_USER: db.user,
    IXC_DB_PASSWORD: db.password,
    IXC_DB_NAME: db.ixcDatabase,
    SYNC_DB_SCHEMA: db.syncSchema,
    ...extra,
  };
}

/** Loads the IXC fixture (schema, then optionally the seed) into `database`. */
export async function loadFixture(connection: mysql.Connection, database: string, seed: boolean): Promise<void> {
  await connection.query(`USE \`${database}\``);
  await connection.query(readFileSync(path.join(FIXTURE_DIR, 'schema.sql'), 'utf8'));
  if (seed) await connection.query(readFileSync(path.join(FIXTURE_DIR, 'seed.sql'), 'utf8'));
}
