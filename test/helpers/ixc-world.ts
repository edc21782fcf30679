import type mysql from 'mysql2/promise';

/** A CPF with valid check digits, deterministic for a seed. */
export function makeCpf(seed: number): string {
  const base = String(100_000_000 + (seed % 800_000_000)).padStart(9, '0').slice(0, 9);
  const digit = (digits: string, weightStart: number): number => {
    const sum = [...digits].reduce((acc, d, i) => acc + Number(d) * (weightStart - i), 0);
    const rest = (sum * 10) % 11;
    return rest === 10 ? 0 : rest;
  };
  const d1 = digit(base, 10);
  const d2 = digit(base + d1, 11);
  const cpf = `${base}${d1}${d2}`;
  return `${cpf.slice(0, 3)}.${cpf.slice(3, 6)}.${cpf.slice(6, 9)}-${cpf.slice(9)}`;
}

/**
 * IXC rows for one test file inside its own id range on the shared captured database, linked to
 * its own integration id, so workers of other files see nothing to provision here.
 */
export interface IxcWorld {
  readonly base: number;
  readonly integrationId: number;
  /** Removes every row of the range (previous runs included). */
  clean(): Promise<void>;
  integration(clientId: string, clientSecret: string): Promise<void>;
  product(id: number, name: string, platformProductId: string | null): Promise<void>;
  linkProduct(id: number, platformProductId: string | null): Promise<void>;
  plan(id: number, name: string): Promise<void>;
  customer(id: number, fields?: Partial<{ razao: string; cnpj_cpf: string; email: string | null; tipo_pessoa: string; telefone_celular: string | null }>): Promise<void>;
  contract(id: number, fields: { id_cliente: number; id_vd_contrato: number; status?: string; status_internet?: string }): Promise<void>;
  line(id: number, fields: { id_contrato?: number; id_vd_contrato?: number; id_produto: number; qtde: number }): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export function createIxcWorld(conn: mysql.Connection, base: number, integrationId: number): IxcWorld {
  const hi = base + 9_999;
  const exec = async (sql: string, params: unknown[] = []): Promise<void> => {
    await conn.query(sql, params);
  };
  return {
    base,
    integrationId,
    async clean() {
      await exec(
        `DELETE lp FROM licencas_produtos_iot lp JOIN licencas_iot li ON li.id = lp.id_licenca_iot WHERE li.id_contrato BETWEEN ? AND ?`,
        [base, hi],
      );
      await exec('DELETE FROM licencas_iot WHERE id_contrato BETWEEN ? AND ?', [base, hi]);
      await exec('DELETE FROM vd_contratos_produtos WHERE id BETWEEN ? AND ?', [base, hi]);
      await exec('DELETE FROM cliente_contrato WHERE id BETWEEN ? AND ?', [base, hi]);
      await exec('DELETE FROM cliente WHERE id BETWEEN ? AND ?', [base, hi]);
      await exec('DELETE FROM vd_contratos WHERE id BETWEEN ? AND ?', [base, hi]);
      await exec('DELETE FROM produtos WHERE id BETWEEN ? AND ?', [base, hi]);
      await exec('DELETE FROM integracoes_iot WHERE id = ?', [integrationId]);
    },
    async integration(clientId, clientSecret) {
      await exec(
        `INSERT INTO integracoes_iot (id, integracao, client_id, client_secret) VALUES (?, 'olli-e2e', ?, ?)
         ON DUPLICATE KEY UPDATE client_id = VALUES(client_id), client_secret = VALUES(client_secret), access_token = NULL, data_atualizacao_token = NULL`,
        [integrationId, clientId, clientSecret],
      );
    },
    async product(id, name, platformProductId) {
      await exec(
        `INSERT INTO produtos (id, descricao, ativo, tipo, id_sub_grupo, id_integracao_iot, id_produto_iot) VALUES (?, ?, 'S', 'S', 0, ?, ?)`,
        [id, name, platformProductId === null ? null : integrationId, platformProductId],
      );
    },
    async linkProduct(id, platformProductId) {
      await exec('UPDATE produtos SET id_integracao_iot = ?, id_produto_iot = ? WHERE id = ?', [
        platformProductId === null ? null : integrationId,
        platformProductId,
        id,
      ]);
    },
    async plan(id, name) {
      await exec(`INSERT INTO vd_contratos (id, nome, Ativo, tipo) VALUES (?, ?, 'S', 'I')`, [id, name]);
    },
    async customer(id, fields = {}) {
      await exec(
        `INSERT INTO cliente (id, razao, tipo_pessoa, cnpj_cpf, email, telefone_celular, ativo, filial_id) VALUES (?, ?, ?, ?, ?, ?, 'S', 1)`,
        [
          id,
          fields.razao ?? `Cliente Teste ${id}`,
          fields.tipo_pessoa ?? 'F',
          fields.cnpj_cpf ?? makeCpf(id),
          fields.email === undefined ? `cliente${id}@example.com` : fields.email,
          fields.telefone_celular === undefined ? '(17) 99812-3456' : fields.telefone_celular,
        ],
      );
    },
    async contract(id, fields) {
      await exec(
        `INSERT INTO cliente_contrato (id, id_cliente, id_vd_contrato, status, status_internet, tipo, data, id_tipo_contrato, id_modelo)
         VALUES (?, ?, ?, ?, ?, 'I', CURDATE(), 1, 1)`,
        [id, fields.id_cliente, fields.id_vd_contrato, fields.status ?? 'A', fields.status_internet ?? 'A'],
      );
    },
    async line(id, fields) {
      await exec(
        `INSERT INTO vd_contratos_produtos (id, id_contrato, id_vd_contrato, id_produto, qtde, tipo, descricao) VALUES (?, ?, ?, ?, ?, 'SVA', 'linha de teste')`,
        [id, fields.id_contrato ?? 0, fields.id_vd_contrato ?? 0, fields.id_produto, fields.qtde],
      );
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const [rows] = await conn.query(sql, params);
      return rows as T[];
    },
  };
}
