import { startSandboxProcess, type SandboxProcess } from '../../helpers/sandbox-process';

jest.setTimeout(150_000);

// iot-platform-api.md §2.8: a licence is created pending, a device activates it, and an unblock
// returns it to active only if it had been activated. The sandbox over real HTTP, in its own process.
describe('sandbox licence lifecycle', () => {
  let sandbox: SandboxProcess;
  let token: string;

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'idempotency-key': `k-${Math.random()}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }

  async function newLicence(contract: number): Promise<string> {
    const customer = await call('POST', '/customers', { name: 'Ana', document: '52998224725', document_type: 'CPF' });
    const customerId = String(customer.body?.id ?? customer.body?.existing_id);
    const sub = await call('POST', `/customers/${customerId}/subscriptions`, { external_id: `ixc:t1:contrato:${contract}` });
    const lic = await call('POST', `/subscriptions/${String(sub.body?.id)}/licenses`, {
      external_id: `ixc:t1:contrato:${contract}:produto:OLLI-CAMERA`,
      items: [{ product_id: 'OLLI-CAMERA', quantity: 1 }],
    });
    expect(lic.status).toBe(201);
    return String(lic.body?.id);
  }

  beforeAll(async () => {
    sandbox = await startSandboxProcess({ startTimeoutMs: 120_000 });
    const response = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: sandbox.clientId, client_secret: sandbox.clientSecret }),
    });
    token = ((await response.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('creates a licence pending; an unblock of a never-activated licence returns it to pending, and "active" does not activate it', async () => {
    const id = await newLicence(1);
    expect((await call('GET', `/licenses/${id}`)).body).toMatchObject({ status: 'pending', activated_at: null });
    expect((await call('PATCH', `/licenses/${id}`, { status: 'active' })).body).toMatchObject({ status: 'pending', activated_at: null });
    expect((await call('PATCH', `/licenses/${id}`, { status: 'blocked' })).body).toMatchObject({ status: 'blocked' });
    expect((await call('PATCH', `/licenses/${id}`, { status: 'active' })).body).toMatchObject({ status: 'pending', activated_at: null });
  });

  it('activates a pending licence through the admin call, as a device would; unblocked, it is active again', async () => {
    const id = await newLicence(2);
    await sandbox.admin.activateLicence(id, 'camera-sala');
    const activated = (await call('GET', `/licenses/${id}`)).body;
    expect(activated).toMatchObject({ status: 'active', device: 'camera-sala' });
    expect(typeof activated?.activated_at).toBe('string');
    expect((await call('PATCH', `/licenses/${id}`, { status: 'blocked' })).body).toMatchObject({ status: 'blocked' });
    expect((await call('PATCH', `/licenses/${id}`, { status: 'active' })).body).toMatchObject({ status: 'active', activated_at: activated?.activated_at });
  });

  it('refuses to activate a licence that is not pending', async () => {
    const id = await newLicence(3);
    await call('PATCH', `/licenses/${id}`, { status: 'blocked' });
    await expect(sandbox.admin.activateLicence(id)).rejects.toThrow(/409|pending/);
  });
});
