import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** IXC `integracoes_iot`: platform credentials and the cached token. `client_secret` and tokens are never logged. */
@Entity({ name: 'integracoes_iot', synchronize: false })
export class IntegracaoIot {
  @PrimaryGeneratedColumn({ type: 'int', unsigned: true }) id!: number;
  @Column({ type: 'varchar', length: 100, nullable: true }) integracao!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true, name: 'client_id' }) clientId!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true, name: 'client_secret' }) clientSecret!: string | null;
  @Column({ type: 'text', nullable: true, name: 'access_token' }) accessToken!: string | null;
  @Column({ type: 'text', nullable: true, name: 'refresh_token' }) refreshToken!: string | null;
  /** When the cached token was obtained (UTC). */
  @Column({ type: 'datetime', nullable: true, name: 'data_atualizacao_token' }) dataAtualizacaoToken!: Date | null;
}
