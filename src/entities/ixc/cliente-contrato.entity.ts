import { Column, Entity, PrimaryColumn } from 'typeorm';

/** IXC `cliente_contrato` (contract): only the columns the integration reads. Never written. */
@Entity({ name: 'cliente_contrato', synchronize: false })
export class ClienteContrato {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Column({ type: 'int', name: 'id_cliente' }) idCliente!: number;
  /** The contract's sales plan (`vd_contratos.id`). */
  @Column({ type: 'int', name: 'id_vd_contrato' }) idVdContrato!: number;
  /** A, I, P, N, D; '' or NULL in legacy rows. */
  @Column({ type: 'varchar', length: 1, nullable: true }) status!: string | null;
  /** A, D, CM, CA, CE, FA, AA; '' or NULL in legacy rows. */
  @Column({ type: 'varchar', length: 2, nullable: true, name: 'status_internet' }) statusInternet!: string | null;
  @Column({ type: 'varchar', length: 3, nullable: true }) tipo!: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) contrato!: string | null;
  /** P, PLA, PRO: which product sets apply (meaning partly unknown; the fixture uses P). */
  @Column({ type: 'varchar', length: 3, name: 'tipo_produtos_plano' }) tipoProdutosPlano!: string;
  @Column({ type: 'date', nullable: true, name: 'data_cancelamento' }) dataCancelamento!: string | null;
}
