import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * IXC `produtos`. The integration writes only `id_integracao_iot` and `id_produto_iot`
 * (`catalog link`/`unlink`); platform ids are opaque strings.
 */
@Entity({ name: 'produtos', synchronize: false })
export class Produto {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Column({ type: 'varchar', length: 200, nullable: true }) descricao!: string | null;
  @Column({ type: 'varchar', length: 1 }) ativo!: string;
  @Column({ type: 'int', unsigned: true, nullable: true, name: 'id_integracao_iot' }) idIntegracaoIot!: number | null;
  @Column({ type: 'varchar', length: 120, nullable: true, name: 'id_produto_iot' }) idProdutoIot!: string | null;
}
