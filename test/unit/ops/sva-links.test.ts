import type { PlatformProduct } from '../../../src/handlers/ports/iot-platform';
import { matchSvaProducts, svaWarning, type SvaProductRow } from '../../../src/ops/sva-links';

const product = (id: string, code: string | null, active = true): PlatformProduct => ({ id, code, name: id, type: null, maxDevices: null, active });
const row = (id: number, svaPackage: string): SvaProductRow => ({ id, descricao: `p${id}`, ativo: true, svaIntegration: 1, svaPackage, idIntegracaoIot: null, idProdutoIot: null });

describe('SVA-linked products', () => {
  const catalogue = [product('OLLI-CAMERA', 'CAM'), product('OLLI-CASA', 'CASA'), product('CASA', 'OTHER')];

  it("matches the package code to the platform product's code first, then its id, case and spaces aside", () => {
    const report = matchSvaProducts([row(6, ' cam '), row(7, 'OLLI-CAMERA')], catalogue);
    expect(report.adoptable.map((m) => [m.product.id, m.platformProduct.id, m.by])).toEqual([
      [6, 'OLLI-CAMERA', 'code'],
      [7, 'OLLI-CAMERA', 'id'],
    ]);
  });

  it('leaves packages of other SVA platforms alone and reports a code naming two products instead of guessing', () => {
    const report = matchSvaProducts([row(8, 'NETFLIX-HD'), row(9, 'CASA')], catalogue);
    expect(report.adoptable).toEqual([]);
    expect(report.ambiguous.map((a) => [a.product.id, a.candidates.map((c) => c.id)])).toEqual([[9, ['OLLI-CASA', 'CASA']]]);
  });

  it('says nothing when nothing is linked the SVA way', () => {
    expect(svaWarning(matchSvaProducts([row(8, 'NETFLIX-HD')], catalogue), 1)).toBeNull();
  });
});
