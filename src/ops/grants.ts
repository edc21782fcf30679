/**
 * Reading `SHOW GRANTS` output well enough to say which privileges a user lacks. Column grants,
 * PROXY and role grants are ignored (a privilege held only through a role is reported missing,
 * with a note saying so). Grant lines may contain password hashes: they are parsed, never printed.
 */

interface Grant {
  privileges: Set<string>;
  /** `ALL PRIVILEGES` */
  all: boolean;
  /** Database name or LIKE pattern; `*` for every database. */
  database: string;
  /** Table name; `*` for every table. */
  table: string;
}

const GRANT_LINE = /^GRANT\s+(.+?)\s+ON\s+(?:(?:TABLE|FUNCTION|PROCEDURE|PACKAGE(?: BODY)?)\s+)?(\S+)\s+TO\s/i;

/** Parses the lines of `SHOW GRANTS`; lines it does not understand are skipped. */
export function parseGrants(lines: readonly string[]): Grant[] {
  const grants: Grant[] = [];
  for (const line of lines) {
    const m = GRANT_LINE.exec(line.trim());
    if (!m) continue;
    const [, privilegeList = '', object = ''] = m;
    if (/^PROXY$/i.test(privilegeList.trim())) continue;
    const privileges = new Set<string>();
    let all = false;
    for (const raw of splitTopLevel(privilegeList)) {
      const p = raw.trim().toUpperCase();
      if (p.includes('(')) continue; // column-level grant: not a table privilege
      if (p === 'ALL' || p === 'ALL PRIVILEGES') all = true;
      else if (p) privileges.add(p === 'REPLICATION CLIENT' ? 'BINLOG MONITOR' : p);
    }
    const { database, table } = parseObject(object);
    grants.push({ privileges, all, database, table });
  }
  return grants;
}

/** Which of `wanted` the grants do not give on `database`.`table` (`*` asks for a global privilege). */
export function missingPrivileges(grants: readonly Grant[], wanted: readonly string[], database: string, table = '*'): string[] {
  return wanted.filter((raw) => {
    const want = raw.toUpperCase() === 'REPLICATION CLIENT' ? 'BINLOG MONITOR' : raw.toUpperCase();
    return !grants.some((g) => covers(g, database, table) && (g.all ? want !== 'GRANT OPTION' : g.privileges.has(want)));
  });
}

function covers(g: Grant, database: string, table: string): boolean {
  if (g.database === '*') return true;
  if (database === '*') return false;
  if (!likeMatches(g.database, database)) return false;
  if (g.table === '*') return true;
  return table !== '*' && g.table.toLowerCase() === table.toLowerCase();
}

/** Database names in grants are LIKE patterns: `%` any run, `_` one character, `\_` a literal. */
function likeMatches(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 'i').test(name);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseObject(object: string): { database: string; table: string } {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < object.length; i += 1) {
    const c = object[i]!;
    if (c === '`') {
      if (quoted && object[i + 1] === '`') {
        current += '`';
        i += 1;
      } else quoted = !quoted;
    } else if (c === '.' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return { database: parts[0] ?? '*', table: parts[1] ?? '*' };
}

function splitTopLevel(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of list) {
    if (c === '(') depth += 1;
    if (c === ')') depth -= 1;
    if (c === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

/** Privileges that change schemas or administer the server: the worker needs none of them (`migrate` does). */
const DDL_AND_ADMIN = [
  'CREATE', 'DROP', 'ALTER', 'INDEX', 'REFERENCES', 'CREATE VIEW', 'CREATE ROUTINE', 'ALTER ROUTINE', 'TRIGGER', 'EVENT',
  'SUPER', 'FILE', 'PROCESS', 'SHUTDOWN', 'RELOAD', 'CREATE USER', 'GRANT OPTION',
];

/**
 * What the grants give beyond the worker's needs: any DDL or administrative privilege, as
 * `PRIVILEGE ON db.table` (`ALL PRIVILEGES` counts as DDL).
 */
export function excessPrivileges(grants: readonly Grant[]): string[] {
  const out: string[] = [];
  for (const g of grants) {
    const where = `${g.database}.${g.table}`;
    if (g.all) out.push(`ALL PRIVILEGES ON ${where}`);
    for (const p of g.privileges) if (DDL_AND_ADMIN.includes(p)) out.push(`${p} ON ${where}`);
  }
  return out;
}

/** IXC's tables the worker writes: the integration's token, the licence rows and their products. */
const IXC_IOT_TABLES = ['integracoes_iot', 'licencas_iot', 'licencas_produtos_iot'] as const;

/** The exact grants of a dedicated worker user (`start`, `reconcile`, `status`, `doctor`…); README, "Database user". */
export function workerGrantStatements(ixcDatabase: string, syncSchema: string, user = "'ixc_iot_sync'@'<worker host>'"): string[] {
  return [
    `GRANT SELECT ON \`${ixcDatabase}\`.* TO ${user}`,
    ...IXC_IOT_TABLES.map((t) => `GRANT INSERT, UPDATE, DELETE ON \`${ixcDatabase}\`.\`${t}\` TO ${user}`),
    `GRANT SELECT, INSERT, UPDATE, DELETE ON \`${syncSchema}\`.* TO ${user}`,
  ];
}
