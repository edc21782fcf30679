import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** IXC `licencas_produtos_iot`: one row per contract line a licence covers, with its quantity. */
@Entity({ name: 'licencas_produtos_iot', synchronize: false })
export class LicencaProdutoIot {
  @PrimaryGeneratedColumn({ type: 'int', unsigned: true }) id!: number;
  @Column({ type: 'int', unsigned: true, name: 'id_licenca_iot' }) idLicencaIot!: number;
  @Column({ type: 'int', name: 'id_vd_contrato_produto' }) idVdContratoProduto!: number;
  @Column({ type: 'int' }) quantidade!: number;
}
