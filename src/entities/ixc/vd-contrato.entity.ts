import { Column, Entity, PrimaryColumn } from 'typeorm';

/** IXC `vd_contratos` (sales plan). Note the real column `Ativo` has a capital A. Never written. */
@Entity({ name: 'vd_contratos', synchronize: false })
export class VdContrato {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Column({ type: 'varchar', length: 200 }) nome!: string;
  @Column({ type: 'varchar', length: 1, nullable: true, name: 'Ativo' }) ativo!: string | null;
}
