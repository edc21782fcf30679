import { loadConfig } from '../../../src/config/load-config';
import { demoTargetProblems } from '../../../src/demo/demo-target';

describe('the demo runs only against its own local stack', () => {
  it('accepts the defaults and loopback settings on the stack ports', () => {
    expect(demoTargetProblems(loadConfig({}))).toEqual([]);
    expect(demoTargetProblems(loadConfig({ CDC_DB_PORT: '21307', CDC_KAFKA_PORT: '21092', CDC_CONNECT_PORT: '21083', IOT_BASE_URL: 'http://localhost:9' }))).toEqual([]);
  });

  it.each([
    ['IXC_DB_HOST', { IXC_DB_HOST: 'ixc-db.isp.example', IXC_DB_USER: 'ixc_iot_sync' }],
    ['IXC_DB_PORT', { IXC_DB_PORT: '3306', IXC_DB_USER: 'ixc_iot_sync' }],
    ['KAFKA_BROKERS', { KAFKA_BROKERS: '127.0.0.1:19092,kafka-1.isp.example:9093' }],
    ['KAFKA_BROKERS', { KAFKA_BROKERS: '127.0.0.1:9092' }],
    ['CONNECT_URL', { CONNECT_URL: 'https://connect.isp.example' }],
    ['IOT_BASE_URL', { IOT_BASE_URL: 'https://iot.platform.example' }],
  ])('refuses %s pointing elsewhere, naming it', (variable, env) => {
    const problems = demoTargetProblems(loadConfig(env));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}=`));
  });

  it('names every offending variable of a production shell at once', () => {
    const problems = demoTargetProblems(
      loadConfig({ IXC_DB_HOST: '10.1.2.3', IXC_DB_USER: 'ixc_iot_sync', KAFKA_BROKERS: 'kafka.isp.example:9092', CONNECT_URL: 'http://10.1.2.4:8083', IOT_BASE_URL: 'https://iot.example' }),
    );
    expect(problems.map((p) => p.split('=')[0])).toEqual(['IXC_DB_HOST', 'KAFKA_BROKERS', 'CONNECT_URL', 'IOT_BASE_URL']);
  });
});
