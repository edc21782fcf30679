import { ConfigError, loadConfig } from '../../../src/config';
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
