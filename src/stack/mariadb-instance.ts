import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { StackStartError } from './errors';
import { runningPid, startManagedProcess, type ManagedProcessSpec } from './managed-process';
import { REPO_ROOT, type StackLayout } from './stack-layout';

interface MariadbInstanceOptions {
  port: number;
  /** The IXC database the fixture is loaded into and Debezium captures. */
  database: string;
  /** Login of the connector; its password lives in the stack home, never in code. */
  debeziumUser: string;
  debeziumPassword: string;
  readyTimeoutMs: number;
  /** Extra `[mysqld]` lines (the secured stack's certificate); with them the connector's user REQUIRES SSL. */
  tlsLines?: readonly string[];
}

const FIXTURE_DIR = path.join(REPO_ROOT, 'fixtures', 'ixc');

/** The CDC MariaDB instance: its own datadir, port and row binlog; the system server is left alone. */
export function mariadbProcessSpec(layout: StackLayout): ManagedProcessSpec {
  return {
    command: 'mariadbd',
    // --defaults-file must be the first option.
    args: [`--defaults-file=${layout.mariadbConfig}`],
    pidFile: layout.pidFile('mariadb'),
    logFile: layout.logFile('mariadb'),
    marker: layout.mariadbConfig,
  };
}

function renderMariadbConfig(layout: StackLayout, port: number, tlsLines: readonly string[] = []): string {
  const runAsRoot = process.getuid?.() === 0;
  return [
    '# Rendered by `ixc-iot-sync stack up`; edits are overwritten.',
    '[mysqld]',
    ...(runAsRoot ? [`user=${os.userInfo().username}`] : []),
    `datadir=${layout.mariadbData}`,
    `socket=${layout.mariadbSocket}`,
    `pid-file=${path.join(layout.runDir, 'mariadbd.pid')}`,
    `log_error=${path.join(layout.logsDir, 'mariadb.err')}`,
    `port=${port}`,
    'bind-address=127.0.0.1',
    'skip-name-resolve',
    '# The connector reads the binlog as a replica with its own server id (database.server.id).',
    'server_id=1',
    `log_bin=${path.join(layout.mariadbData, 'mariadb-bin')}`,
    'binlog_format=ROW',
    'binlog_row_image=FULL',
    'binlog_expire_logs_seconds=86400',
    '# Debezium cannot read compressed binlog events.',
    'log_bin_compress=OFF',
    'innodb_buffer_pool_size=64M',
    'character_set_server=utf8mb4',
    'collation_server=utf8mb4_general_ci',
    'default_time_zone=+00:00',
    ...tlsLines,
    '',
  ].join('\n');
}

/** Initialises the datadir when it is new, starts mariadbd unless it runs, and waits until it answers. */
export async function startMariadb(layout: StackLayout, options: MariadbInstanceOptions): Promise<'started' | 'running'> {
  const spec = mariadbProcessSpec(layout);
  if (runningPid(spec.pidFile, spec.marker) !== null) return 'running';
  writeFileSync(layout.mariadbConfig, renderMariadbConfig(layout, options.port, options.tlsLines));
  if (!existsSync(path.join(layout.mariadbData, 'mysql'))) {
    mkdirSync(layout.mariadbData, { recursive: true });
    const init = spawnSync(
      'mariadb-install-db',
      [`--defaults-file=${layout.mariadbConfig}`, '--auth-root-authentication-method=normal', '--skip-test-db'],
      { encoding: 'utf8' },
    );
    writeFileSync(layout.logFile('mariadb'), `${init.stdout}${init.stderr}`, { flag: 'a' });
    if (init.status !== 0) throw new StackStartError(`mariadb-install-db failed (exit ${init.status}); see ${layout.logFile('mariadb')}`);
  }
  startManagedProcess(spec);
  const deadline = Date.now() + options.readyTimeoutMs;
  for (;;) {
    if (runningPid(spec.pidFile, spec.marker) === null) {
      throw new StackStartError(`mariadbd exited during start; see ${path.join(layout.logsDir, 'mariadb.err')}`);
    }
    if (await pingRoot(options.port)) return 'started';
    if (Date.now() > deadline) {
      throw new StackStartError(`mariadbd did not answer on port ${options.port} within ${options.readyTimeoutMs} ms; see ${path.join(layout.logsDir, 'mariadb.err')}`);
    }
    await sleep(100);
  }
}

/**
 * Checks the binlog settings Debezium depends on, loads the IXC fixture when the database is
 * absent, and (re)creates the connector's user with only what it needs: SELECT on the captured
 * database, REPLICATION SLAVE to read the binlog, BINLOG MONITOR (REPLICATION CLIENT) for
 * SHOW MASTER STATUS / SHOW BINARY LOGS. No RELOAD: the connector snapshots with
 * snapshot.locking.mode=none.
 */
export async function prepareMariadb(options: MariadbInstanceOptions): Promise<{ fixtureLoaded: boolean }> {
  const connection = await rootConnection(options.port);
  try {
    const [rows] = await connection.query('SELECT @@log_bin AS logBin, @@binlog_format AS format, @@binlog_row_image AS image');
    const settings = (rows as Array<{ logBin: number; format: string; image: string }>)[0];
    if (!settings || Number(settings.logBin) !== 1 || settings.format !== 'ROW' || settings.image !== 'FULL') {
      throw new StackStartError(
        `The CDC MariaDB must run with log_bin=ON, binlog_format=ROW, binlog_row_image=FULL; found ${JSON.stringify(settings)}. ` +
          'Is another server listening on this port? Run `stack down` and check the port.',
      );
    }
    const db = options.database;
    const [existing] = await connection.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db]);
    let fixtureLoaded = false;
    if ((existing as unknown[]).length === 0) {
      await connection.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
      await connection.query(`USE \`${db}\``);
      await connection.query(readFileSync(path.join(FIXTURE_DIR, 'schema.sql'), 'utf8'));
      await connection.query(readFileSync(path.join(FIXTURE_DIR, 'seed.sql'), 'utf8'));
      fixtureLoaded = true;
    }
    const user = options.debeziumUser;
    await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, '%', options.debeziumPassword]);
    await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [user, '%', options.debeziumPassword]);
    await connection.query(`GRANT SELECT ON \`${db}\`.* TO ?@?`, [user, '%']);
    await connection.query('GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO ?@?', [user, '%']);
    await connection.query(`ALTER USER ?@? REQUIRE ${options.tlsLines?.length ? 'SSL' : 'NONE'}`, [user, '%']);
    return { fixtureLoaded };
  } finally {
    await connection.end();
  }
}

/** Root over TCP with an empty password: the instance is bound to loopback and exists for development only. */
export function rootConnection(port: number): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: '', multipleStatements: true });
}

/** Clean shutdown over SQL; the caller falls back to signals. */
export async function shutdownMariadb(port: number): Promise<void> {
  try {
    const connection = await rootConnection(port);
    await connection.query('SHUTDOWN').catch(() => undefined);
    connection.destroy();
  } catch {
    // Not answering: the PID-based stop handles it.
  }
}

async function pingRoot(port: number): Promise<boolean> {
  try {
    const connection = await rootConnection(port);
    await connection.ping();
    await connection.end();
    return true;
  } catch {
    return false;
  }
}
