import { Column, Entity, PrimaryColumn } from 'typeorm';

/** IXC `cliente` (customer): only the columns the integration reads. Never written. */
@Entity({ name: 'cliente', synchronize: false })
export class Cliente {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Column({ type: 'varchar', length: 200 }) razao!: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) fantasia!: string | null;
  /** Stored formatted (`211.114.963-23`); normalise to digits. */
  @Column({ type: 'varchar', length: 30, nullable: true, name: 'cnpj_cpf' }) cnpjCpf!: string | null;
  /** F person, J company, E foreigner; 1/2/3 on non-Brazilian installs; '' in legacy rows. */
  @Column({ type: 'varchar', length: 1, nullable: true, name: 'tipo_pessoa' }) tipoPessoa!: string | null;
  @Column({ type: 'varchar', length: 256, nullable: true }) email!: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true, name: 'telefone_celular' }) telefoneCelular!: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) whatsapp!: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) fone!: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) endereco!: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) numero!: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) bairro!: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) complemento!: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) cep!: string | null;
  @Column({ type: 'int', nullable: true }) cidade!: number | null;
  @Column({ type: 'varchar', length: 1 }) ativo!: string;
}
