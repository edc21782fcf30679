import mysql from 'mysql2/promise';
import { TEST_DB_SERVER } from './test-database';

/** Runs once before the integration and e2e tests: fails fast when the database server is missing. */
export default async function globalSetup(): Promise<void> {
  try {
    const connection = await mysql.createConnection(TEST_DB_SERVER);
    await connection.end();
  } catch (err) {
    throw new Error(
      `MariaDB is not reachable at ${TEST_DB_SERVER.host}:${TEST_DB_SERVER.port} (${(err as Error).message}). ` +
        'Start it (.ci/run does) or set TEST_DB_HOST/TEST_DB_PORT.',
      { cause: err },
    );
  }
}
