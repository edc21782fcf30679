import type { DataSource } from 'typeorm';
import { IntegracaoIot } from '../entities/ixc/integracao-iot.entity';

/** The cached token as IXC's `integracoes_iot` row holds it. */
export interface StoredToken {
  accessToken: string;
  /** `data_atualizacao_token` (UTC, whole seconds). */
  issuedAt: Date;
}

export interface StoredCredentials {
  clientId: string | null;
  clientSecret: string | null;
}

/**
 * Where the token is shared between instances: IXC's `integracoes_iot` row of this deployment
 * (`access_token`, `data_atualizacao_token`). No column is added to IXC's table; the expiry is
 * derived (see token-manager.ts).
 */
export interface TokenStore {
  read(): Promise<StoredToken | null>;
  write(token: StoredToken): Promise<void>;
  credentials(): Promise<StoredCredentials | null>;
}

export function createIntegrationTokenStore(dataSource: DataSource, integrationId: number): TokenStore {
  const repo = () => dataSource.getRepository(IntegracaoIot);
  return {
    async read() {
      const row = await repo().findOne({ where: { id: integrationId }, select: { id: true, accessToken: true, dataAtualizacaoToken: true } });
      if (!row?.accessToken || !row.dataAtualizacaoToken) return null;
      return { accessToken: row.accessToken, issuedAt: new Date(row.dataAtualizacaoToken) };
    },
    async write(token) {
      await repo().update({ id: integrationId }, { accessToken: token.accessToken, dataAtualizacaoToken: token.issuedAt });
    },
    async credentials() {
      const row = await repo().findOne({ where: { id: integrationId }, select: { id: true, clientId: true, clientSecret: true } });
      return row ? { clientId: row.clientId, clientSecret: row.clientSecret } : null;
    },
  };
}

/** Process-local store for tools and tests without a database. */
export function createMemoryTokenStore(credentials: StoredCredentials | null = null): TokenStore {
  let stored: StoredToken | null = null;
  return {
    read: () => Promise.resolve(stored),
    write: (token) => {
      stored = token;
      return Promise.resolve();
    },
    credentials: () => Promise.resolve(credentials),
  };
}
