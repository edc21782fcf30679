import { Cliente } from './cliente.entity';
import { ClienteContrato } from './cliente-contrato.entity';
import { IntegracaoIot } from './integracao-iot.entity';
import { LicencaIot } from './licenca-iot.entity';
import { LicencaProdutoIot } from './licenca-produto-iot.entity';
import { Produto } from './produto.entity';
import { VdContrato } from './vd-contrato.entity';
import { VdContratoProduto } from './vd-contrato-produto.entity';

export { Cliente, ClienteContrato, IntegracaoIot, LicencaIot, LicencaProdutoIot, Produto, VdContrato, VdContratoProduto };
export type { LicencaStatus } from './licenca-iot.entity';

/** Entities of tables in IXC's database (the DataSource's default database). */
export const IXC_ENTITIES = [
  Cliente,
  ClienteContrato,
  VdContrato,
  VdContratoProduto,
  Produto,
  IntegracaoIot,
  LicencaIot,
  LicencaProdutoIot,
] as const;
