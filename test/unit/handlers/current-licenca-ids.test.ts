import type { LicencaIot, LicencaProdutoIot } from '../../../src/entities';
import { currentLicencaIds, type LicenceWrite } from '../../../src/handlers/store/write-licencas';

const ctx = { contractId: 7, integrationId: 1, customerRef: 'cus-1', subscriptionRef: 'sub-1' };
const write: LicenceWrite = {
  platformProductId: 'OLLI-CAMERA',
  ref: 'lic-1',
  code: 'OLLI-AAAA',
  status: 'active',
  description: 'Câmera',
  licencaIotId: 10,
  lines: [{ lineId: 100, quantity: 2 }],
};
const row = {
  id: 10,
  idContrato: 7,
  idIntegracao: 1,
  idClienteIntegracao: 'cus-1',
  idAssinaturaIntegracao: 'sub-1',
  idLicencaIntegracao: 'lic-1',
  codigoLicencaIntegracao: 'OLLI-AAAA',
  descricao: 'Câmera',
  status: 'A',
} as LicencaIot;
const item = { id: 1, idLicencaIot: 10, idVdContratoProduto: 100, quantidade: 2 } as LicencaProdutoIot;

/** The fast release is taken only when writeLicencas would write nothing: any difference must say so. */
describe('currentLicencaIds', () => {
  it('gives each product its row id when rows and item rows already say what the platform holds', () => {
    expect(currentLicencaIds(ctx, [write], [row], [item])).toEqual(new Map([['OLLI-CAMERA', 10]]));
    expect(currentLicencaIds(ctx, [], [row], [item])).toEqual(new Map());
  });

  it('is null for a missing row, a changed column, a changed, missing or extra item row', () => {
    expect(currentLicencaIds(ctx, [write], [], [])).toBeNull();
    expect(currentLicencaIds(ctx, [write], [{ ...row, status: 'B' } as LicencaIot], [item])).toBeNull();
    expect(currentLicencaIds({ ...ctx, subscriptionRef: 'sub-2' }, [write], [row], [item])).toBeNull();
    expect(currentLicencaIds(ctx, [write], [row], [{ ...item, quantidade: 3 } as LicencaProdutoIot])).toBeNull();
    expect(currentLicencaIds(ctx, [write], [row], [])).toBeNull();
    expect(currentLicencaIds(ctx, [write], [row], [item, { ...item, id: 2, idVdContratoProduto: 101 } as LicencaProdutoIot])).toBeNull();
  });

  it('leaves the item rows of a revoked licence alone (lines null), as the write does', () => {
    const revoked = { ...write, status: 'revoked' as const, lines: null };
    expect(currentLicencaIds(ctx, [revoked], [{ ...row, status: 'I' } as LicencaIot], [])).toEqual(new Map([['OLLI-CAMERA', 10]]));
  });
});
