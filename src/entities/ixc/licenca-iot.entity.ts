import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Letters of `licencas_iot.status`: A active, B blocked, I inactive/revoked, P pending. */
export type LicencaStatus = 'A' | 'B' | 'I' | 'P';

/** IXC `licencas_iot`: one row per licence of a contract, shown in the contract's "Licença IoT" tab. */
@Entity({ name: 'licencas_iot', synchronize: false })
export class LicencaIot {
  @PrimaryGeneratedColumn({ type: 'int', unsigned: true }) id!: number;
  @Column({ type: 'int', name: 'id_contrato' }) idContrato!: number;
  @Column({ type: 'int', unsigned: true, nullable: true, name: 'id_integracao' }) idIntegracao!: number | null;
  @Column({ type: 'varchar', length: 120, nullable: true, name: 'id_cliente_integracao' }) idClienteIntegracao!: string | null;
  @Column({ type: 'varchar', length: 120, nullable: true, name: 'id_assinatura_integracao' }) idAssinaturaIntegracao!: string | null;
  @Column({ type: 'varchar', length: 120, nullable: true, name: 'id_licenca_integracao' }) idLicencaIntegracao!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true, name: 'codigo_licenca_integracao' }) codigoLicencaIntegracao!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) descricao!: string | null;
  @Column({ type: 'varchar', length: 1 }) status!: LicencaStatus;
}
