import type { DataSource } from 'typeorm';

/** An IXC product row as the catalogue commands show it. */
export interface IxcProductRow {
  id: number;
  descricao: string | null;
  ativo: string;
  idIntegracaoIot: number | null;
  idProdutoIot: string | null;
}

/** IXC products linked to a platform product. No parameters. */
const LINKED_PRODUCTS_SQL = `SELECT id, descricao, ativo, id_integracao_iot AS idIntegracaoIot, id_produto_iot AS idProdutoIot
  FROM produtos WHERE id_produto_iot IS NOT NULL AND id_produto_iot <> '' ORDER BY id`;

/** One IXC product. Parameters: product id. */
const PRODUCT_SQL = `SELECT id, descricao, ativo, id_integracao_iot AS idIntegracaoIot, id_produto_iot AS idProdutoIot
  FROM produtos WHERE id = ?`;

/**
 * Contracts holding a product on their own lines or on their plan's lines (DESIGN.md § Effective
 * lines; a plan row replaced by a contract row still counts, which only over-reports).
 * Parameters: product id, product id.
 */
const CONTRACTS_WITH_PRODUCT_SQL = `SELECT c.id, c.status, c.status_internet AS statusInternet
  FROM cliente_contrato c
  WHERE EXISTS (SELECT 1 FROM vd_contratos_produtos l WHERE l.id_contrato = c.id AND l.id_produto = ?)
     OR (c.id_vd_contrato > 0 AND EXISTS (SELECT 1 FROM vd_contratos_produtos l
          WHERE (l.id_contrato = 0 OR l.id_contrato IS NULL) AND l.id_vd_contrato = c.id_vd_contrato AND l.id_produto = ?))
  ORDER BY c.id`;

/** Links or unlinks. Parameters: platform product id (or NULL), integration id (or NULL), product id. */
const SET_LINK_SQL = `UPDATE produtos SET id_produto_iot = ?, id_integracao_iot = ? WHERE id = ?`;

function toRow(raw: Record<string, unknown>): IxcProductRow {
  return {
    id: Number(raw.id),
    descricao: (raw.descricao as string | null) ?? null,
    ativo: String(raw.ativo ?? ''),
    idIntegracaoIot: raw.idIntegracaoIot === null || raw.idIntegracaoIot === undefined ? null : Number(raw.idIntegracaoIot),
    idProdutoIot: (raw.idProdutoIot as string | null) ?? null,
  };
}

export async function linkedIxcProducts(dataSource: DataSource): Promise<IxcProductRow[]> {
  return ((await dataSource.query(LINKED_PRODUCTS_SQL)) as Array<Record<string, unknown>>).map(toRow);
}

export async function ixcProduct(dataSource: DataSource, id: number): Promise<IxcProductRow | null> {
  const rows = (await dataSource.query(PRODUCT_SQL, [id])) as Array<Record<string, unknown>>;
  return rows[0] ? toRow(rows[0]) : null;
}

export async function contractsWithProduct(dataSource: DataSource, productId: number): Promise<Array<{ id: number; status: string; statusInternet: string }>> {
  const rows = (await dataSource.query(CONTRACTS_WITH_PRODUCT_SQL, [productId, productId])) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ id: Number(r.id), status: String(r.status ?? ''), statusInternet: String(r.statusInternet ?? '') }));
}

export async function setProductLink(dataSource: DataSource, productId: number, platformProductId: string | null, integrationId: number | null): Promise<void> {
  await dataSource.query(SET_LINK_SQL, [platformProductId, integrationId, productId]);
}
