/** A `vd_contratos_produtos` row as the reconcile reads it. 0 and NULL both mean "no reference". */
export interface LineRow {
  id: number;
  idVdContrato: number | null;
  idContrato: number | null;
  idProduto: number | null;
  qtde: number;
  descricao: string | null;
  /** On a contract line: the plan line it replaces. */
  idContratoProdutoPlano: number | null;
}

/** A `produtos` row as the reconcile reads it. */
export interface ProductRow {
  id: number;
  descricao: string | null;
  ativo: string | null;
  idIntegracaoIot: number | null;
  idProdutoIot: string | null;
}

export interface EffectiveLine {
  lineId: number;
  /** IXC product id. */
  productId: number;
  platformProductId: string;
  quantity: number;
  description: string | null;
  origin: 'plan' | 'contract';
}

export interface EffectiveLinesResult {
  lines: EffectiveLine[];
  /** Orphans and other oddities worth a log line; never fatal. */
  warnings: string[];
}

function ref(value: number | null | undefined): number | null {
  return value === null || value === undefined || value === 0 ? null : value;
}

/**
 * A contract's effective IoT lines (DESIGN.md § Decisions, Effective lines): its own rows plus its
 * plan's rows (`id_contrato` 0/NULL, `id_vd_contrato` = the contract's plan); a contract row whose
 * `id_contrato_produto_plano` names a plan row replaces that row. A line is IoT when its product has
 * `id_produto_iot` set, belongs to `integrationId` and is active (`ativo` <> 'N': a withdrawn product
 * is unlinked, which is why a change of `ativo` marks its contracts). Pure.
 */
export function effectiveIotLines(
  contract: { id: number; idVdContrato: number | null },
  rows: readonly LineRow[],
  products: ReadonlyMap<number, ProductRow>,
  integrationId: number,
): EffectiveLinesResult {
  const warnings: string[] = [];
  const plan = ref(contract.idVdContrato);
  const own = rows.filter((r) => ref(r.idContrato) === contract.id);
  const replaced = new Set(own.map((r) => ref(r.idContratoProdutoPlano)).filter((id): id is number => id !== null));
  const planRows = plan === null ? [] : rows.filter((r) => ref(r.idContrato) === null && ref(r.idVdContrato) === plan && !replaced.has(r.id));

  const lines: EffectiveLine[] = [];
  for (const [origin, set] of [['plan', planRows], ['contract', own]] as const) {
    for (const row of set) {
      const productId = ref(row.idProduto);
      if (productId === null) continue;
      const product = products.get(productId);
      if (product === undefined) {
        warnings.push(`line ${row.id} refers to missing product ${productId}`);
        continue;
      }
      const platformProductId = (product.idProdutoIot ?? '').trim();
      if (platformProductId === '' || product.idIntegracaoIot !== integrationId) continue;
      if ((product.ativo ?? '').trim().toUpperCase() === 'N') continue;
      if (!(row.qtde > 0)) {
        warnings.push(`line ${row.id} has quantity ${row.qtde}; ignored`);
        continue;
      }
      lines.push({ lineId: row.id, productId, platformProductId, quantity: row.qtde, description: product.descricao ?? row.descricao, origin });
    }
  }
  lines.sort((a, b) => a.lineId - b.lineId);
  return { lines, warnings };
}
