import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * IXC `vd_contratos_produtos`: a product line of a plan (`id_contrato` 0/NULL) or of one contract
 * (`id_vd_contrato` 0/NULL). 0 and NULL both mean "no reference". Never written.
 */
@Entity({ name: 'vd_contratos_produtos', synchronize: false })
export class VdContratoProduto {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Column({ type: 'int', nullable: true, name: 'id_vd_contrato' }) idVdContrato!: number | null;
  @Column({ type: 'int', nullable: true, name: 'id_contrato' }) idContrato!: number | null;
  @Column({ type: 'int', nullable: true, name: 'id_produto' }) idProduto!: number | null;
  @Column({ type: 'int' }) qtde!: number;
  @Column({ type: 'varchar', length: 250, nullable: true }) descricao!: string | null;
  /** On a contract line: the plan line it replaces. */
  @Column({ type: 'int', nullable: true, name: 'id_contrato_produto_plano' }) idContratoProdutoPlano!: number | null;
}
