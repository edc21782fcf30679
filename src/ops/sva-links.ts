import type { Query } from '../consumers/mark-batch';
import type { PlatformProduct } from '../handlers/ports/iot-platform';

/** An IXC product linked the SVA way (`produtos.id_sva_integracao` / `id_sva_pacote`) and not to this deployment's IoT integration. */
export interface SvaProductRow {
  id: number;
  descricao: string;
  ativo: boolean;
  svaIntegration: number;
  svaPackage: string;
  /** The IoT link it has, if any (to another integration). */
  idIntegracaoIot: number | null;
  idProdutoIot: string | null;
}

interface SvaMatch {
  product: SvaProductRow;
  platformProduct: PlatformProduct;
  /** How the package code matched: the platform product's `code`, else its `id`. */
  by: 'code' | 'id';
}

interface SvaReport {
  /** Products of an SVA integration of the IoT platform, not provisioned: each with the product `adopt-sva` links it to. */
  adoptable: SvaMatch[];
  /** Package codes that name two platform products (one by code, another by id): left to the operator. */
  ambiguous: Array<{ product: SvaProductRow; candidates: PlatformProduct[] }>;
}

/**
 * SVA-linked products without this integration's IoT link. Parameters: (integrationId).
 * Products already linked to this integration are provisioned and left out.
 */
const SVA_PRODUCTS_SQL = `SELECT id, descricao, ativo, id_sva_integracao, id_sva_pacote, id_integracao_iot, id_produto_iot FROM produtos
 WHERE id_sva_integracao IS NOT NULL AND id_sva_integracao > 0 AND id_sva_pacote IS NOT NULL AND TRIM(id_sva_pacote) <> ''
   AND NOT (id_produto_iot IS NOT NULL AND id_produto_iot <> '' AND id_integracao_iot <=> ?)
 ORDER BY id`;

export async function svaLinkedProducts(query: Query, integrationId: number): Promise<SvaProductRow[]> {
  const rows = (await query(SVA_PRODUCTS_SQL, [integrationId])) as Array<{
    id: unknown; descricao: string | null; ativo: string | null; id_sva_integracao: unknown; id_sva_pacote: string; id_integracao_iot: unknown; id_produto_iot: string | null;
  }>;
  return rows.map((r) => ({
    id: Number(r.id),
    descricao: r.descricao ?? '',
    ativo: r.ativo === 'S',
    svaIntegration: Number(r.id_sva_integracao),
    svaPackage: r.id_sva_pacote.trim(),
    idIntegracaoIot: r.id_integracao_iot === null ? null : Number(r.id_integracao_iot),
    idProdutoIot: r.id_produto_iot === '' ? null : r.id_produto_iot,
  }));
}

const norm = (s: string | null): string => (s ?? '').trim().toUpperCase();

/**
 * Which SVA-linked products belong to the IoT platform: their package code is a platform product's
 * `code` (the platform's own product code), or failing that its `id` (IXC's seed and some setups
 * type the platform id as the package). A code that matches nothing is another SVA platform's
 * package and is left alone. Pure.
 */
export function matchSvaProducts(rows: readonly SvaProductRow[], platformProducts: readonly PlatformProduct[]): SvaReport {
  const report: SvaReport = { adoptable: [], ambiguous: [] };
  for (const product of rows) {
    const key = norm(product.svaPackage);
    const byCode = platformProducts.filter((p) => norm(p.code) === key);
    const byId = platformProducts.filter((p) => norm(p.id) === key);
    const candidates = [...new Map([...byCode, ...byId].map((p) => [p.id, p])).values()];
    if (candidates.length === 0) continue;
    if (candidates.length > 1) report.ambiguous.push({ product, candidates });
    else report.adoptable.push({ product, platformProduct: candidates[0]!, by: byCode.length > 0 ? 'code' : 'id' });
  }
  return report;
}

/** The warning `doctor` and `catalog list` give; null when nothing is linked the SVA way. */
export function svaWarning(report: SvaReport, integrationId: number): string | null {
  const n = report.adoptable.length + report.ambiguous.length;
  if (n === 0) return null;
  const names = [
    ...report.adoptable.map((m) => `produto ${m.product.id} (${m.product.descricao}, pacote ${m.product.svaPackage} → ${m.platformProduct.id})`),
    ...report.ambiguous.map((a) => `produto ${a.product.id} (${a.product.descricao}, pacote ${a.product.svaPackage}: ambiguous, ${a.candidates.map((c) => c.id).join(' or ')})`),
  ];
  return (
    `${n} IXC product(s) are linked to an SVA integration of the IoT platform but not to IoT integration ${integrationId}, ` +
    `so their contracts get nothing provisioned: ${names.join('; ')}`
  );
}
