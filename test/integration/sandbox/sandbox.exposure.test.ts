import { createSandboxServer, SandboxBindError } from '../../../src/sandbox/sandbox-server';
import { callSandboxAdmin } from '../../../src/sandbox/sandbox-admin-client';
import { runCli } from '../../helpers/reconcile-cli';

/**
 * The sandbox is a development platform: it does not bind beyond loopback silently, its admin API
 * is authenticated once a token is set, and nothing it issues looks like a real platform id.
 */
describe('sandbox exposure', () => {
  const credentials = { clientId: 'exposure-client', clientSecret: 'exposure-secret-3d9c' };

  it('refuses to bind beyond loopback without an admin token', async () => {
    const server = createSandboxServer({ ...credentials, host: '0.0.0.0', port: 0 });
    await expect(server.listen()).rejects.toThrow(SandboxBindError);
    await expect(server.listen()).rejects.toThrow(/SANDBOX_ADMIN_TOKEN/);
  });

  it('the CLI says so, naming the variable', async () => {
    const { code, stderr } = await runCli(['sandbox', '--host', '0.0.0.0', '--port', '0'], { ...process.env, SANDBOX_ADMIN_TOKEN: '' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('beyond loopback, with its /__admin API open: set SANDBOX_ADMIN_TOKEN');
  });

  it("with an admin token, /__admin needs it; ids, codes and tokens are marked as the sandbox ones", async () => {
    const adminToken = 'exposure-admin-token-77';
    const server = createSandboxServer({ ...credentials, host: '0.0.0.0', port: 0, adminToken });
    const url = (await server.listen()).replace('0.0.0.0', '127.0.0.1');
    try {
      await expect(callSandboxAdmin(url, 'GET', '/state')).rejects.toThrow(/401/);
      await expect(callSandboxAdmin(url, 'GET', '/state', undefined, 'wrong-token')).rejects.toThrow(/401/);
      await expect(callSandboxAdmin(url, 'POST', '/reset', {})).rejects.toThrow(/401/);
      expect(await callSandboxAdmin(url, 'GET', '/state', undefined, adminToken)).toMatchObject({ customers: [] });

      const tokenResponse = await fetch(`${url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret }),
      });
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      expect(token).toMatch(/^sbx\./);
      const created = await fetch(`${url}/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': 'exposure-1' },
        body: JSON.stringify({ name: 'Ana', document: '52998224725', document_type: 'CPF', external_id: 'ixc:t1:cliente:1' }),
      });
      expect(created.status).toBe(201);
      expect(((await created.json()) as { id: string }).id).toMatch(/^sbx-[0-9a-f]{24}$/);
    } finally {
      await server.close();
    }
  });
});
