import { ConfigError } from '../../../src/config/config-error';
import { loadConfig } from '../../../src/config/load-config';
import { IotClientOptionsError, resolveIotClientOptions } from '../../../src/iot-client/client-options';

describe('IOT_BASE_URL over plain http', () => {
  it.each(['http://iot.example.com', 'http://10.0.0.5:8080/v1', 'http://[2001:db8::1]/', 'http://127.0.0.1.nip.io'])('%s is refused, naming the variable', (url) => {
    expect(() => loadConfig({ IOT_BASE_URL: url })).toThrow(ConfigError);
    expect(() => loadConfig({ IOT_BASE_URL: url })).toThrow(/IOT_BASE_URL must use https:\/\/ for a host other than loopback/);
    expect(() => resolveIotClientOptions({ baseUrl: url })).toThrow(IotClientOptionsError);
  });

  it.each(['https://iot.example.com', 'http://127.0.0.1:18080', 'http://localhost:18080', 'http://[::1]:18080', 'http://127.9.9.9'])('%s is accepted', (url) => {
    expect(loadConfig({ IOT_BASE_URL: url }).iot.baseUrl).toBe(url.replace(/\/+$/, ''));
    expect(resolveIotClientOptions({ baseUrl: url }).baseUrl).toBe(url);
  });
});

describe('IXC_DB_USER', () => {
  it('defaults to root only for the local stack', () => {
    expect(loadConfig({}).db.user).toBe('root');
    expect(loadConfig({ CDC_DB_PORT: '21307', IXC_DB_HOST: 'localhost' }).db.user).toBe('root');
  });

  it.each([{ IXC_DB_HOST: 'ixc-db.isp.example' }, { IXC_DB_PORT: '3306' }])('is required for any other server (%o)', (env) => {
    expect(() => loadConfig(env)).toThrow(/IXC_DB_USER is required for a database other than the local stack/);
    expect(loadConfig({ ...env, IXC_DB_USER: 'ixc_iot_sync' }).db.user).toBe('ixc_iot_sync');
  });
});
