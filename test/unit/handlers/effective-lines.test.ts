import { effectiveIotLines, type LineRow, type ProductRow } from '../../../src/handlers/plan/desired-state';

const INTEGRATION = 1;
const product = (id: number, over: Partial<ProductRow> = {}): ProductRow => ({
  id,
  descricao: `P${id}`,
  ativo: 'S',
  idIntegracaoIot: INTEGRATION,
  idProdutoIot: `olli-${id}`,
  ...over,
});
const line = (id: number, over: Partial<LineRow>): LineRow => ({
  id,
  idVdContrato: 0,
  idContrato: 0,
  idProduto: 5,
  qtde: 1,
  descricao: null,
  idContratoProdutoPlano: null,
  ...over,
});
const products = (...rows: ProductRow[]) => new Map(rows.map((p) => [p.id, p]));
const contract = { id: 10, idVdContrato: 2 };
const ids = (r: ReturnType<typeof effectiveIotLines>) => r.lines.map((l) => l.lineId);

describe('effectiveIotLines', () => {
  it("takes the plan's lines (id_contrato 0) and the contract's own lines (id_vd_contrato 0)", () => {
    const rows = [line(1, { idVdContrato: 2, idProduto: 5 }), line(2, { idContrato: 10, idProduto: 6, qtde: 3 })];
    const result = effectiveIotLines(contract, rows, products(product(5), product(6)), INTEGRATION);
    expect(result.lines).toEqual([
      expect.objectContaining({ lineId: 1, platformProductId: 'olli-5', quantity: 1, origin: 'plan' }),
      expect.objectContaining({ lineId: 2, platformProductId: 'olli-6', quantity: 3, origin: 'contract' }),
    ]);
  });

  it('treats NULL like 0 for id_contrato and id_vd_contrato', () => {
    const rows = [line(1, { idVdContrato: 2, idContrato: null }), line(2, { idVdContrato: null, idContrato: 10 })];
    expect(ids(effectiveIotLines(contract, rows, products(product(5)), INTEGRATION))).toEqual([1, 2]);
  });

  it('ignores lines of other plans and other contracts, and never joins on 0', () => {
    const rows = [line(1, { idVdContrato: 3 }), line(2, { idContrato: 11 }), line(3, { idVdContrato: 0, idContrato: 0 })];
    expect(ids(effectiveIotLines(contract, rows, products(product(5)), INTEGRATION))).toEqual([]);
    expect(ids(effectiveIotLines({ id: 10, idVdContrato: 0 }, rows, products(product(5)), INTEGRATION))).toEqual([]);
  });

  it('a contract line naming a plan line in id_contrato_produto_plano replaces it', () => {
    const rows = [line(1, { idVdContrato: 2, qtde: 1 }), line(7, { idContrato: 10, qtde: 4, idContratoProdutoPlano: 1 })];
    const result = effectiveIotLines(contract, rows, products(product(5)), INTEGRATION);
    expect(result.lines).toEqual([expect.objectContaining({ lineId: 7, quantity: 4 })]);
  });

  it('id_contrato_produto_plano 0 or NULL replaces nothing', () => {
    const rows = [line(1, { idVdContrato: 2 }), line(7, { idContrato: 10, idContratoProdutoPlano: 0 }), line(8, { idContrato: 10, idContratoProdutoPlano: null })];
    expect(ids(effectiveIotLines(contract, rows, products(product(5)), INTEGRATION))).toEqual([1, 7, 8]);
  });

  it('keeps only IoT products of this integration (id_produto_iot set, id_integracao_iot = ours)', () => {
    const rows = [5, 6, 7, 8].map((p) => line(p, { idVdContrato: 2, idProduto: p }));
    const catalogue = products(product(5), product(6, { idIntegracaoIot: 2 }), product(7, { idProdutoIot: null }), product(8, { idProdutoIot: '  ' }));
    expect(ids(effectiveIotLines(contract, rows, catalogue, INTEGRATION))).toEqual([5]);
  });

  it('an inactive product (ativo N) is not effective: it counts as unlinked', () => {
    const rows = [line(1, { idVdContrato: 2 })];
    expect(ids(effectiveIotLines(contract, rows, products(product(5, { ativo: 'N' })), INTEGRATION))).toEqual([]);
  });

  it('reports orphan lines and non-positive quantities without failing', () => {
    const rows = [line(1, { idVdContrato: 2, idProduto: 99 }), line(2, { idVdContrato: 2, qtde: 0 }), line(3, { idVdContrato: 2, idProduto: null })];
    const result = effectiveIotLines(contract, rows, products(product(5)), INTEGRATION);
    expect(result.lines).toEqual([]);
    expect(result.warnings).toEqual([expect.stringMatching(/missing product 99/), expect.stringMatching(/quantity 0/)]);
  });
});
