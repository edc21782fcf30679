import { createTokenManager } from '../../../src/iot-client/token-manager';
import { createMemoryTokenStore } from '../../../src/iot-client/token-store';

function setup(expiresIn: number | null = 100) {
  const expiresInSec = expiresIn ?? undefined;
  let now = 1_000_000_000_000;
  let issued = 0;
  const store = createMemoryTokenStore();
  const tokens = createTokenManager(
    {
      store,
      now: () => now,
      fetchToken: async () => {
        issued += 1;
        const token = `token-${issued}`;
        await new Promise<void>((resolve) => setImmediate(resolve));
        return { accessToken: token, expiresInSec };
      },
    },
    { renewBeforeExpiryMs: 60_000, defaultLifetimeMs: 3_600_000 },
  );
  return {
    tokens,
    store,
    advance: (ms: number) => {
      now += ms;
    },
    issued: () => issued,
  };
}

describe('createTokenManager', () => {
  it('shares one token request between concurrent callers', async () => {
    const t = setup();
    const got = await Promise.all(Array.from({ length: 10 }, () => t.tokens.getToken()));
    expect(new Set(got)).toEqual(new Set(['token-1']));
    expect(t.issued()).toBe(1);
  });

  it('renews at issued_at + expires_in − 60 s, not before', async () => {
    const t = setup(100);
    await t.tokens.getToken();
    t.advance(39_000);
    expect(await t.tokens.getToken()).toBe('token-1');
    t.advance(2_000); // 41 s: inside the last 60 s of a 100 s token
    expect(await t.tokens.getToken()).toBe('token-2');
  });

  it('assumes 3600 s without expires_in', async () => {
    const t = setup(null);
    await t.tokens.getToken();
    t.advance(3_500_000);
    expect(await t.tokens.getToken()).toBe('token-1');
    t.advance(100_000);
    expect(await t.tokens.getToken()).toBe('token-2');
  });

  it('on a 401 takes a fresher token from the shared row before asking for one', async () => {
    const t = setup();
    const first = await t.tokens.getToken();
    await t.store.write({ accessToken: 'from-another-instance', issuedAt: new Date(1_000_000_000_000) });
    expect(await t.tokens.refreshAfterUnauthorized(first)).toBe('from-another-instance');
    expect(t.issued()).toBe(1);
    // the row holds only the rejected token: a new one is fetched
    expect(await t.tokens.refreshAfterUnauthorized('from-another-instance')).toBe('token-2');
    expect(t.issued()).toBe(2);
  });

  it('reuses the stored token of another instance at start', async () => {
    const t = setup();
    await t.store.write({ accessToken: 'shared', issuedAt: new Date(1_000_000_000_000) });
    expect(await t.tokens.getToken()).toBe('shared');
    expect(t.issued()).toBe(0);
  });
});
