import { ConfigError } from '../../../src/config/config-error';
import { loadConfig } from '../../../src/config/load-config';

describe('loadConfig', () => {
  it('applies documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.db).toMatchObject({ host: '127.0.0.1', port: 3307, ixcDatabase: 'ixcprovedor', syncSchema: 'ixc_iot_sync' });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(config.reconcile.leaseMs).toBe(2 * config.reconcile.budgetMs);
    expect(config.iot.baseUrl).toBeUndefined();
    expect(config.ops.host).toBe('127.0.0.1');
  });

  it('reads and trims values, strips trailing slashes from URLs', () => {
    const config = loadConfig({ IOT_BASE_URL: 'https://iot.example.test/v1/ ', KAFKA_BROKERS: 'a:1, b:2', RECONCILE_CONCURRENCY: '8', IXC_DB_POOL_SIZE: '16' });
    expect(config.iot.baseUrl).toBe('https://iot.example.test/v1');
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.reconcile.concurrency).toBe(8);
  });

  it('names every offending variable at once', () => {
    let thrown: unknown;
    try {
      loadConfig({ IXC_DB_PORT: 'abc', LOG_LEVEL: 'loud', IOT_BASE_URL: 'ftp://x', SYNC_DB_SCHEMA: 'x; DROP', RECONCILE_LEASE_MS: '10' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems.join('\n');
    for (const name of ['IXC_DB_PORT', 'LOG_LEVEL', 'IOT_BASE_URL', 'SYNC_DB_SCHEMA', 'RECONCILE_LEASE_MS']) expect(problems).toContain(name);
  });

  it('refuses a pool too small for the reconcile slots, with the formula', () => {
    expect(() => loadConfig({ RECONCILE_CONCURRENCY: '8', IXC_DB_POOL_SIZE: '10' })).toThrow(ConfigError);
    expect(() => loadConfig({ RECONCILE_CONCURRENCY: '8', IXC_DB_POOL_SIZE: '10' })).toThrow('IXC_DB_POOL_SIZE must be >= RECONCILE_CONCURRENCY + 3 = 11, got 10');
    expect(loadConfig({ RECONCILE_CONCURRENCY: '8', IXC_DB_POOL_SIZE: '11' }).db.poolSize).toBe(11);
    expect(loadConfig({}).db).toMatchObject({ poolSize: 10, poolWaitMs: 15_000 });
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.db)).toBe(true);
  });
});
