import type { Query } from '../consumers/mark-batch';
import { coerceError } from '../lib/coerce-error';
import { maskText } from '../lib/mask';
import type { CheckResult } from './doctor-check';
import { excessPrivileges, missingPrivileges, parseGrants, workerGrantStatements } from './grants';

interface DatabaseCheckContext {
  query: Query;
  ixcDatabase: string;
  syncSchema: string;
  /** The connector's database user, when Kafka Connect told us (its grants are checked too). */
  connectorUser: string | null;
  /** Whether the connector reads this same server (host and port match); binlog checks concern that server. */
  connectorReadsThisServer: boolean | null;
}

const CAPTURED = ['cliente', 'cliente_contrato', 'vd_contratos_produtos', 'produtos'];
const IOT_TABLES = ['integracoes_iot', 'licencas_iot', 'licencas_produtos_iot'];
const SYNC_TABLES = ['contract_sync', 'licence_sync', 'customer_sync', 'api_audit', 'worker_heartbeat'];
/**
 * Debezium's MariaDB connector reads the binlog (REPLICATION SLAVE, and BINLOG MONITOR, which
 * REPLICATION CLIENT became in MariaDB 10.5) and selects the captured tables for snapshots.
 * RELOAD is not needed with snapshot.locking.mode=none, which the connector template sets.
 */
const CONNECTOR_GLOBAL = ['REPLICATION SLAVE', 'BINLOG MONITOR'];

async function rows<T>(ctx: DatabaseCheckContext, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await ctx.query(sql, params)) as T[];
}

/** Binlog prerequisites of the CDC source: on, ROW format, FULL row image, and kept long enough. */
export async function checkBinlog(ctx: DatabaseCheckContext): Promise<CheckResult[]> {
  const [v] = await rows<Record<string, unknown>>(
    ctx,
    'SELECT @@log_bin AS log_bin, @@binlog_format AS format, @@binlog_row_image AS image, @@server_id AS server_id, @@binlog_expire_logs_seconds AS expire_s, @@version AS version',
  );
  const note = ctx.connectorReadsThisServer === false ? ' (the connector reads another server: check that one too)' : '';
  const logBin = Number(v?.log_bin ?? 0) === 1;
  const results: CheckResult[] = [
    logBin
      ? { name: 'binlog enabled', status: 'ok', message: `log_bin=ON on MariaDB ${String(v?.version)}${note}` }
      : {
          name: 'binlog enabled',
          status: 'fail',
          message: `the binary log is off (log_bin=0) on MariaDB ${String(v?.version)}: Debezium reads changes from the binlog, so nothing would be captured${note}`,
          fix: 'start the server with log_bin=mysql-bin, server_id=<unique>, binlog_format=ROW, binlog_row_image=FULL (my.cnf [mariadb] section) and restart it',
        },
  ];
  const format = String(v?.format ?? '');
  results.push(
    format === 'ROW'
      ? { name: 'binlog format', status: 'ok', message: 'binlog_format=ROW' }
      : {
          name: 'binlog format',
          status: 'fail',
          message: `binlog_format=${format}, not ROW: statement-based events carry no row images and the connector fails on them`,
          fix: 'set binlog_format=ROW in the server configuration (SET GLOBAL binlog_format=ROW applies to new sessions only) and restart the connector',
        },
  );
  const image = String(v?.image ?? '');
  results.push(
    image === 'FULL'
      ? { name: 'binlog row image', status: 'ok', message: 'binlog_row_image=FULL' }
      : {
          name: 'binlog row image',
          status: 'fail',
          message: `binlog_row_image=${image}, not FULL: change events would lack the columns the fan-out needs (before images)`,
          fix: 'set binlog_row_image=FULL in the server configuration and restart it',
        },
  );
  const expire = Number(v?.expire_s ?? 0);
  if (logBin && expire > 0 && expire < 86_400) {
    results.push({
      name: 'binlog retention',
      status: 'warn',
      message: `binlogs are purged after ${Math.round(expire / 60)} min: a connector stopped longer than that needs a new snapshot`,
      fix: 'set binlog_expire_logs_seconds to at least 86400 (a few days is safer)',
    });
  }
  return results;
}

/** IXC's captured tables, IXC's IoT tables and the project's own schema exist. */
export async function checkTables(ctx: DatabaseCheckContext): Promise<CheckResult[]> {
  const present = async (schema: string): Promise<Set<string>> =>
    new Set(
      (await rows<{ t: string }>(ctx, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [schema])).map((r) =>
        r.t.toLowerCase(),
      ),
    );
  const ixc = await present(ctx.ixcDatabase);
  const sync = await present(ctx.syncSchema);
  const results: CheckResult[] = [];
  const missingCaptured = CAPTURED.filter((t) => !ixc.has(t));
  results.push(
    missingCaptured.length === 0
      ? { name: 'IXC tables', status: 'ok', message: `${ctx.ixcDatabase} has ${CAPTURED.join(', ')}` }
      : {
          name: 'IXC tables',
          status: 'fail',
          message: `${ctx.ixcDatabase} lacks ${missingCaptured.join(', ')}`,
          fix: 'point IXC_DB_NAME at the IXCProvedor database',
        },
  );
  const missingProject = [...IOT_TABLES.filter((t) => !ixc.has(t)), ...SYNC_TABLES.filter((t) => !sync.has(t)).map((t) => `${ctx.syncSchema}.${t}`)];
  results.push(
    missingProject.length === 0
      ? { name: 'migrations', status: 'ok', message: `IoT tables and ${ctx.syncSchema} are in place` }
      : { name: 'migrations', status: 'fail', message: `missing: ${missingProject.join(', ')}`, fix: 'run `ixc-iot-sync migrate`' },
  );
  return results;
}

/** The worker's own grants, and the connector user's when known. */
export async function checkGrants(ctx: DatabaseCheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const [me] = await rows<{ u: string }>(ctx, 'SELECT CURRENT_USER() AS u');
  const own = parseGrants((await rows<Record<string, string>>(ctx, 'SHOW GRANTS')).map((r) => String(Object.values(r)[0] ?? '')));
  const missing = [
    ...missingPrivileges(own, ['SELECT'], ctx.ixcDatabase, 'cliente_contrato').map((p) => `${p} on ${ctx.ixcDatabase}`),
    ...IOT_TABLES.flatMap((t) => missingPrivileges(own, ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], ctx.ixcDatabase, t).map((p) => `${p} on ${ctx.ixcDatabase}.${t}`)),
    ...missingPrivileges(own, ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], ctx.syncSchema, 'contract_sync').map((p) => `${p} on ${ctx.syncSchema}`),
  ];
  results.push(
    missing.length === 0
      ? { name: 'worker grants', status: 'ok', message: `${me?.u ?? 'current user'} can read IXC, write its IoT tables and the sync schema` }
      : {
          name: 'worker grants',
          status: 'fail',
          message: `${me?.u ?? 'current user'} lacks ${missing.join(', ')} (privileges held only through a role are not seen)`,
          fix: `${workerGrantStatements(ctx.ixcDatabase, ctx.syncSchema).join('; ')}`,
        },
  );
  const excess = excessPrivileges(own);
  results.push(
    excess.length === 0
      ? { name: 'worker least privilege', status: 'ok', message: `${me?.u ?? 'current user'} holds no DDL or administrative privilege` }
      : {
          name: 'worker least privilege',
          status: 'warn',
          message: `${me?.u ?? 'current user'} holds ${excess.slice(0, 6).join(', ')}${excess.length > 6 ? ` and ${excess.length - 6} more` : ''}: more than the worker needs (only \`migrate\` needs DDL)`,
          fix: `run the worker as a dedicated user with exactly: ${workerGrantStatements(ctx.ixcDatabase, ctx.syncSchema).join('; ')}`,
        },
  );

  if (ctx.connectorUser === null) {
    results.push({ name: 'connector grants', status: 'skip', message: 'the connector user is unknown (Kafka Connect did not give its config)' });
    return results;
  }
  try {
    const hosts = await rows<{ host: string }>(ctx, 'SELECT Host AS host FROM mysql.user WHERE User = ?', [ctx.connectorUser]);
    if (hosts.length === 0) {
      results.push({
        name: 'connector grants',
        status: ctx.connectorReadsThisServer === false ? 'skip' : 'fail',
        message: `user ${ctx.connectorUser} does not exist on this server`,
        fix: `CREATE USER '${ctx.connectorUser}'@'%' IDENTIFIED BY '…'; GRANT ${CONNECTOR_GLOBAL.join(', ')} ON *.* TO it; GRANT SELECT ON ${ctx.ixcDatabase}.* TO it`,
      });
      return results;
    }
    const lacking = new Set<string>();
    for (const { host } of hosts) {
      const lines = await rows<Record<string, string>>(ctx, 'SHOW GRANTS FOR ?@?', [ctx.connectorUser, host]);
      const grants = parseGrants(lines.map((r) => String(Object.values(r)[0] ?? '')));
      for (const p of missingPrivileges(grants, CONNECTOR_GLOBAL, '*')) lacking.add(`${p} ON *.*`);
      for (const p of missingPrivileges(grants, ['SELECT'], ctx.ixcDatabase, 'cliente_contrato')) lacking.add(`${p} ON ${ctx.ixcDatabase}.*`);
    }
    results.push(
      lacking.size === 0
        ? { name: 'connector grants', status: 'ok', message: `${ctx.connectorUser} has ${CONNECTOR_GLOBAL.join(', ')} and SELECT on ${ctx.ixcDatabase}` }
        : {
            name: 'connector grants',
            status: 'fail',
            message: `${ctx.connectorUser} lacks ${[...lacking].join(', ')}`,
            fix: `GRANT ${CONNECTOR_GLOBAL.join(', ')} ON *.* TO '${ctx.connectorUser}'@'<host>'; GRANT SELECT ON ${ctx.ixcDatabase}.* TO it`,
          },
    );
  } catch (thrown) {
    results.push({
      name: 'connector grants',
      status: 'warn',
      message: `cannot read the grants of ${ctx.connectorUser}: ${maskText(coerceError(thrown).message)}`,
      fix: 'run doctor as a user that may read mysql.user, or check the grants by hand',
    });
  }
  return results;
}

/** The products this deployment's integration links (`produtos.id_produto_iot`). */
export async function linkedProducts(
  query: Query,
  integrationId: number,
): Promise<Array<{ id: number; description: string; platformProductId: string; active: boolean }>> {
  const found = (await query(
    `SELECT id, descricao, id_produto_iot, ativo FROM produtos
      WHERE id_integracao_iot = ? AND id_produto_iot IS NOT NULL AND id_produto_iot <> '' ORDER BY id`,
    [integrationId],
  )) as Array<{ id: unknown; descricao: string | null; id_produto_iot: string; ativo: string }>;
  return found.map((r) => ({ id: Number(r.id), description: r.descricao ?? '', platformProductId: String(r.id_produto_iot), active: r.ativo === 'S' }));
}
