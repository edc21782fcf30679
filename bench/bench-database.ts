import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { DatabaseConfig } from '../src/config/app-config';
import { runMigrations } from '../src/migrations/run-migrations';
import { makeCpf } from '../test/helpers/ixc-world';
import type { Workload } from './workload';

const SCHEMA_SQL = path.resolve(__dirname, '../fixtures/ixc/schema.sql');

export interface BenchDatabase {
  db: DatabaseConfig;
  conn: mysql.Connection;
  /** The stored rows (as `SELECT *` returns them), by id, to render Debezium's full `after` images. */
  contractRows: Map<number, Record<string, unknown>>;
  lineRows: Map<number, Record<string, unknown>>;
  drop(): Promise<void>;
}

/**
 * The drain's own IXC database (the fixture schema, no seed) and sync schema on the machine's
 * MariaDB, holding the workload's final rows and an integration row with the sandbox's credentials.
 */
export async function createBenchDatabase(
  server: { host: string; port: number; user: string; password: string },
  workload: Workload,
  integration: { id: number; clientId: string; clientSecret: string },
): Promise<BenchDatabase> {
  const suffix = randomBytes(3).toString('hex');
  const db: DatabaseConfig = { ...server, ixcDatabase: `ixc_bench_${suffix}`, syncSchema: `ixc_sync_bench_${suffix}`, poolSize: 10 };
  const conn = await mysql.createConnection({ ...server, multipleStatements: true, dateStrings: true });
  await conn.query(`CREATE DATABASE \`${db.ixcDatabase}\` CHARACTER SET utf8mb4`);
  await conn.query(`USE \`${db.ixcDatabase}\``);
  await conn.query(readFileSync(SCHEMA_SQL, 'utf8'));
  await runMigrations(db);

  await conn.query(`INSERT INTO integracoes_iot (id, integracao, client_id, client_secret) VALUES (?, 'olli-bench', ?, ?)`, [
    integration.id,
    integration.clientId,
    integration.clientSecret,
  ]);
  await insertRows(conn, 'produtos', ['id', 'descricao', 'ativo', 'tipo', 'id_sub_grupo', 'id_integracao_iot', 'id_produto_iot'],
    workload.products.map((p) => [p.id, p.name, 'S', 'S', 0, integration.id, p.platformProductId]));
  await insertRows(conn, 'vd_contratos', ['id', 'nome', 'Ativo', 'tipo'], workload.plans.map((p) => [p.id, p.name, 'S', 'I']));
  await insertRows(conn, 'cliente', ['id', 'razao', 'tipo_pessoa', 'cnpj_cpf', 'email', 'telefone_celular', 'ativo', 'filial_id'],
    workload.customers.map((id) => [id, `Cliente Bench ${id}`, 'F', makeCpf(id), `bench${id}@example.com`, '(17) 99812-3456', 'S', 1]));
  await insertRows(conn, 'cliente_contrato', ['id', 'id_cliente', 'id_vd_contrato', 'status', 'status_internet', 'tipo', 'data', 'id_tipo_contrato', 'id_modelo'],
    workload.contracts.map((c) => [c.id, c.id_cliente, c.id_vd_contrato, c.status, c.status_internet, 'I', '2026-01-05', 1, 1]));
  await insertRows(conn, 'vd_contratos_produtos', ['id', 'id_contrato', 'id_vd_contrato', 'id_produto', 'qtde', 'tipo', 'descricao'],
    [...workload.planLines, ...workload.lines].map((l) => [l.id, l.id_contrato, l.id_vd_contrato, l.id_produto, l.qtde, 'SVA', 'linha bench']));

  const contractRows = await rowsById(conn, 'cliente_contrato');
  const lineRows = await rowsById(conn, 'vd_contratos_produtos');
  return {
    db,
    conn,
    contractRows,
    lineRows,
    async drop() {
      // KEEP_BENCH_DB=1 keeps both for analysis (e.g. the API's concurrency over time from api_audit).
      if (process.env.KEEP_BENCH_DB !== '1') {
        await conn.query(`DROP DATABASE IF EXISTS \`${db.ixcDatabase}\``);
        await conn.query(`DROP DATABASE IF EXISTS \`${db.syncSchema}\``);
      }
      await conn.end();
    },
  };
}

/** Multi-row INSERTs of `perStatement` rows each. */
export async function insertRows(conn: mysql.Connection, table: string, columns: string[], rows: unknown[][], perStatement = 1000): Promise<void> {
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    if (chunk.length === 0) continue;
    await conn.query(`INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES ?`, [chunk]);
  }
}

async function rowsById(conn: mysql.Connection, table: string): Promise<Map<number, Record<string, unknown>>> {
  const [rows] = await conn.query(`SELECT * FROM \`${table}\``);
  return new Map((rows as Array<Record<string, unknown>>).map((r) => [Number(r.id), r]));
}
