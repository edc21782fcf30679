import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { DatabaseConfig } from '../src/config/app-config';
import { runMigrations } from '../src/migrations/run-migrations';
import { makeCpf } from '../test/helpers/ixc-world';
import { insertRows as insertChunks } from './bench-database';
import type { ScaleWorkload } from './scale-workload';

const SCHEMA_SQL = path.resolve(__dirname, '../fixtures/ixc/schema.sql');
/** Rows per INSERT: large multi-row statements load ~10x faster than row by row. */
const ROWS_PER_INSERT = 5000;

export interface ScaleDatabase {
  db: DatabaseConfig;
  conn: mysql.Connection;
  rows: { cliente: number; cliente_contrato: number; vd_contratos_produtos: number; produtos: number };
  loadSeconds: number;
  drop(): Promise<void>;
}

/**
 * IXC's tables (the fixture schema, no seed) in a database of their own on the stack's MariaDB
 * (row binlog), bulk-loaded with the workload before any connector sees them, plus the project's
 * schema and an integration row holding the sandbox's credentials. The connector's user gets
 * SELECT on it, as on IXC's own database.
 */
export async function createScaleDatabase(
  server: { host: string; port: number; user: string; password: string },
  w: ScaleWorkload,
  integration: { id: number; clientId: string; clientSecret: string },
  debeziumUser: string,
): Promise<ScaleDatabase> {
  const suffix = randomBytes(3).toString('hex');
  const db: DatabaseConfig = { ...server, ixcDatabase: `ixc_scale_${suffix}`, syncSchema: `ixc_sync_scale_${suffix}`, poolSize: 10 };
  const conn = await mysql.createConnection({ ...server, multipleStatements: true, dateStrings: true });
  const started = Date.now();
  await conn.query(`CREATE DATABASE \`${db.ixcDatabase}\` CHARACTER SET utf8mb4`);
  await conn.query(`USE \`${db.ixcDatabase}\``);
  await conn.query(readFileSync(SCHEMA_SQL, 'utf8'));
  await runMigrations(db);
  await conn.query(`GRANT SELECT ON \`${db.ixcDatabase}\`.* TO ?@'%'`, [debeziumUser]);

  const insertRows = (table: string, columns: string[], rows: unknown[][]) => insertChunks(conn, table, columns, rows, ROWS_PER_INSERT);
  await conn.query(`INSERT INTO integracoes_iot (id, integracao, client_id, client_secret) VALUES (?, 'olli-scale', ?, ?)`, [
    integration.id,
    integration.clientId,
    integration.clientSecret,
  ]);
  await insertRows('produtos', ['id', 'descricao', 'ativo', 'tipo', 'id_sub_grupo', 'id_integracao_iot', 'id_produto_iot'],
    w.products.map((p) => [p.id, p.name, 'S', 'S', 0, p.platformProductId === null ? null : integration.id, p.platformProductId]));
  await insertRows('vd_contratos', ['id', 'nome', 'Ativo', 'tipo'], w.plans.map((p) => [p.id, p.name, 'S', 'I']));
  await insertRows('cliente', ['id', 'razao', 'tipo_pessoa', 'cnpj_cpf', 'email', 'telefone_celular', 'ativo', 'filial_id'],
    w.customers.map((id) => [id, `Cliente Escala ${id}`, 'F', makeCpf(id), `escala${id}@example.com`, '(17) 99812-3456', 'S', 1]));
  await insertRows('cliente_contrato', ['id', 'id_cliente', 'id_vd_contrato', 'status', 'status_internet', 'tipo', 'data', 'id_tipo_contrato', 'id_modelo'],
    w.contracts.map((c) => [c.id, c.id_cliente, c.id_vd_contrato, c.status, c.status_internet, 'I', '2026-01-05', 1, 1]));
  await insertRows('vd_contratos_produtos', ['id', 'id_contrato', 'id_vd_contrato', 'id_produto', 'qtde', 'tipo', 'descricao'],
    [...w.planLines, ...w.lines].map((l) => [l.id, l.id_contrato, l.id_vd_contrato, l.id_produto, l.qtde, 'SVA', 'linha']));
  const loadSeconds = (Date.now() - started) / 1000;
  return {
    db,
    conn,
    rows: { cliente: w.customers.length, cliente_contrato: w.contracts.length, vd_contratos_produtos: w.planLines.length + w.lines.length, produtos: w.products.length },
    loadSeconds,
    async drop() {
      if (process.env.KEEP_BENCH_DB !== '1') {
        await conn.query(`DROP DATABASE IF EXISTS \`${db.ixcDatabase}\``);
        await conn.query(`DROP DATABASE IF EXISTS \`${db.syncSchema}\``);
      }
      await conn.end();
    },
  };
}
