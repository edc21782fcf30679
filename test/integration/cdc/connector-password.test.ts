import { readFileSync } from 'node:fs';
import { createStackLayout } from '../../../src/stack/stack-layout';
import { cdcConfig } from '../../helpers/cdc-stack';

/**
 * Connect stores connector configs in its config topic and returns them from the REST API: the
 * Debezium password must reach the task through a config provider, never through the config.
 */
describe("the connector's MariaDB password on the local stack", () => {
  it('is a FileConfigProvider reference in GET /connectors/<name>/config, and the connector runs with it', async () => {
    const config = cdcConfig();
    const layout = createStackLayout(config.stack.home);
    const password = config.stack.debeziumPassword ?? readFileSync(layout.debeziumSecret, 'utf8').trim();
    const base = `${config.connect.url}/connectors/${config.connect.connectorName}`;

    const body = await (await fetch(`${base}/config`)).text();
    expect(body).not.toContain(password);
    expect((JSON.parse(body) as Record<string, string>)['database.password']).toBe(`\${file:${layout.connectorSecrets}:database.password}`);
    // The reference resolves inside Connect: the connector and its task run (they log in to MariaDB).
    const status = (await (await fetch(`${base}/status`)).json()) as { connector: { state: string }; tasks: Array<{ state: string }> };
    expect(status.connector.state).toBe('RUNNING');
    expect(status.tasks.map((t) => t.state)).toEqual(['RUNNING']);
  });
});
