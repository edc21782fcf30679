import { sameConfig } from '../../../src/stack/register-connector';

describe('sameConfig (whether a second `up` must re-PUT the connector)', () => {
  const desired = { 'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector', 'topic.prefix': 'ixc' };

  it('is true for the stored copy, which Connect returns with its name added', () => {
    expect(sameConfig({ ...desired, name: 'ixc-cdc' }, 'ixc-cdc', desired)).toBe(true);
  });

  it('is false when a value, a key or the name differs', () => {
    expect(sameConfig({ ...desired, name: 'ixc-cdc', 'topic.prefix': 'other' }, 'ixc-cdc', desired)).toBe(false);
    expect(sameConfig({ ...desired, name: 'ixc-cdc', 'poll.interval.ms': '50' }, 'ixc-cdc', desired)).toBe(false);
    expect(sameConfig({ 'connector.class': desired['connector.class'], name: 'ixc-cdc' }, 'ixc-cdc', desired)).toBe(false);
    expect(sameConfig({ ...desired, name: 'old' }, 'ixc-cdc', desired)).toBe(false);
  });
});
