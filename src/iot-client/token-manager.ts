import type { TokenResponse } from './api-contract';
import { registerSecretValue } from '../lib/mask';
import type { TokenStore } from './token-store';

export interface TokenManagerOptions {
  /** Renew this long before the computed expiry. @defaultValue 60000 */
  renewBeforeExpiryMs: number;
  /** Lifetime assumed when neither `expires_in` nor a JWT `exp` is known. @defaultValue 3600000 */
  defaultLifetimeMs: number;
}

export interface TokenManagerDeps {
  store: TokenStore;
  /** Performs the token call (POST {tokenPath}); knows the credentials. */
  fetchToken: () => Promise<TokenResponse>;
  now?: () => number;
}

/**
 * One bearer token per process, shared by concurrent calls (single-flight), renewed at
 * `issued_at + expires_in − 60 s` (JWT `exp` when the token is one, else 3600 s) and once on a
 * 401. The token is cached in `integracoes_iot` so instances share it; on a 401 the row is re-read
 * first, since another instance may already hold a fresher token.
 */
export interface TokenManager {
  getToken(): Promise<string>;
  /** The platform rejected `rejected`: use a fresher one from the row, or fetch a new one. */
  refreshAfterUnauthorized(rejected: string): Promise<string>;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** `exp` (seconds) of a JWT, or undefined when the token is not a JWT. */
export function jwtExpiryMs(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export function createTokenManager(deps: TokenManagerDeps, options: TokenManagerOptions): TokenManager {
  const now = deps.now ?? Date.now;
  let cached: CachedToken | null = null;
  let inflight: Promise<CachedToken> | null = null;
  /** The platform's lifetime as last seen: applied to tokens another instance fetched. */
  let lastLifetimeMs: number | undefined;
  /** Tokens the platform rejected; never reused from the row. */
  const rejected = new Set<string>();

  /** `expires_in` of this token's response; else the JWT's `exp`; else the lifetime last seen; else the default. */
  const expiryOf = (token: string, issuedAtMs: number, lifetimeMs: number | undefined): number => {
    if (lifetimeMs !== undefined) return issuedAtMs + lifetimeMs;
    return jwtExpiryMs(token) ?? issuedAtMs + (lastLifetimeMs ?? options.defaultLifetimeMs);
  };

  const fresh = (t: CachedToken | null): t is CachedToken => t !== null && now() < t.expiresAt - options.renewBeforeExpiryMs && !rejected.has(t.token);

  const fetchNew = async (): Promise<CachedToken> => {
    const issuedAt = now();
    const response = await deps.fetchToken();
    registerSecretValue(response.accessToken, { rotating: true });
    const lifetimeMs = response.expiresInSec !== undefined ? response.expiresInSec * 1000 : undefined;
    if (lifetimeMs !== undefined) lastLifetimeMs = lifetimeMs;
    // The row keeps whole seconds: store the issue time rounded down, so the derived expiry is never late.
    const issuedAtSec = Math.floor(issuedAt / 1000) * 1000;
    const token = { token: response.accessToken, expiresAt: expiryOf(response.accessToken, issuedAtSec, lifetimeMs) };
    await deps.store.write({ accessToken: response.accessToken, issuedAt: new Date(issuedAtSec) });
    return token;
  };

  const fromStore = async (): Promise<CachedToken | null> => {
    const stored = await deps.store.read();
    if (!stored) return null;
    registerSecretValue(stored.accessToken, { rotating: true });
    const candidate = { token: stored.accessToken, expiresAt: expiryOf(stored.accessToken, stored.issuedAt.getTime(), undefined) };
    return fresh(candidate) ? candidate : null;
  };

  const singleFlight = (work: () => Promise<CachedToken>): Promise<CachedToken> => {
    if (!inflight) {
      inflight = work()
        .then((t) => {
          cached = t;
          return t;
        })
        .finally(() => {
          inflight = null;
        });
    }
    return inflight;
  };

  const obtain = async (): Promise<CachedToken> => (await fromStore()) ?? (await fetchNew());

  return {
    async getToken() {
      if (fresh(cached)) return cached.token;
      return (await singleFlight(obtain)).token;
    },
    async refreshAfterUnauthorized(rejectedToken) {
      rejected.add(rejectedToken);
      if (rejected.size > 100) rejected.delete(rejected.values().next().value as string);
      if (fresh(cached) && cached.token !== rejectedToken) return cached.token;
      cached = null;
      const next = await singleFlight(obtain);
      if (next.token !== rejectedToken) return next.token;
      // A flight that started before the rejection may have brought the rejected token back.
      cached = null;
      return (await singleFlight(obtain)).token;
    },
  };
}
