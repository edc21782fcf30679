import { startSandboxProcess, type SandboxProcess } from '../../helpers/sandbox-process';
import { waitFor } from '../../helpers/wait-for';

jest.setTimeout(60_000);

// The sandbox over real HTTP, in its own process: the strictness the client relies on.
describe('sandbox server', () => {
  let sandbox: SandboxProcess;
  let token: string;

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }

  async function newToken(): Promise<string> {
    const response = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: sandbox.clientId, client_secret: sandbox.clientSecret }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  beforeAll(async () => {
    sandbox = await startSandboxProcess();
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  beforeEach(async () => {
    await sandbox.admin.reset();
    token = await newToken();
  });

  it('rejects wrong credentials with invalid_client and accepts form encoding with HTTP Basic', async () => {
    const bad = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: sandbox.clientId, client_secret: 'wrong' }),
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_client');
    const basic = Buffer.from(`${sandbox.clientId}:${sandbox.clientSecret}`).toString('base64');
    const form = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: 'grant_type=client_credentials',
    });
    expect(form.status).toBe(200);
  });

  it('lists every token it issued, expired ones included, for leak checks', async () => {
    const second = await newToken();
    await sandbox.admin.expireTokens();
    expect(await sandbox.admin.issuedTokens()).toEqual([token, second]);
    await sandbox.admin.reset();
    expect(await sandbox.admin.issuedTokens()).toEqual([]);
  });

  it('answers 401 to a bad token and 401 once the token expired', async () => {
    token = 'not-a-token';
    expect((await call('GET', '/products')).status).toBe(401);
    await sandbox.admin.setTokenLifetime(1);
    token = await newToken();
    expect((await call('GET', '/products')).status).toBe(200);
    await waitFor(async () => (await call('GET', '/products')).status === 401, { what: 'token expiry' });
  });

  it('seeds the fixture products with max_devices and paginates per the contract', async () => {
    const page = await call('GET', '/products?page=1&limit=2');
    expect(page.body?.meta).toEqual({ page: 1, limit: 2, total: 4 });
    expect((page.body?.data as unknown[]).length).toBe(2);
    const active = await call('GET', '/products?active=true&limit=100');
    const ids = (active.body?.data as Array<{ id: string; max_devices: number }>).map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['OLLI-CASA-INTELIGENTE', 'OLLI-CAMERA', 'OLLI-SENSOR-PORTA']));
    expect(ids).not.toContain('OLLI-LEGACY-HUB');
  });

  it('422s an invalid document, 409s a duplicate with existing_id, and replays an Idempotency-Key as 200', async () => {
    const invalid = await call('POST', '/customers', { name: 'Maria', document: '12345678900', document_type: 'CPF' }, { 'idempotency-key': 'k-1' });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('content-type')).toContain('application/problem+json');
    expect(invalid.body?.code).toBe('VALIDATION_ERROR');
    // errors are not remembered: the same key with a corrected body is a new request
    const body = { external_id: 'ixc:t1:cliente:1', name: 'Maria', document: '52998224725', document_type: 'CPF' };
    const created = await call('POST', '/customers', body, { 'idempotency-key': 'k-2' });
    expect(created.status).toBe(201);
    const replay = await call('POST', '/customers', body, { 'idempotency-key': 'k-2' });
    expect(replay.status).toBe(200);
    expect(replay.body?.id).toBe(created.body?.id);
    const duplicate = await call('POST', '/customers', { ...body, external_id: 'ixc:t1:cliente:2' }, { 'idempotency-key': 'k-3' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body?.code).toBe('CUSTOMER_ALREADY_EXISTS');
    expect(duplicate.body?.existing_id).toBe(created.body?.id);
    expect((await sandbox.admin.state()).customers).toHaveLength(1);
  });

  it('keeps cancelled and revoked terminal and enforces max_devices', async () => {
    const customer = await call('POST', '/customers', { name: 'Ana', document: '52998224725', document_type: 'CPF' });
    const sub = await call('POST', `/customers/${String(customer.body?.id)}/subscriptions`, { external_id: 'ixc:t1:contrato:5' });
    expect(sub.status).toBe(201);
    const subId = String(sub.body?.id);
    const over = await call('POST', `/subscriptions/${subId}/licenses`, {
      external_id: 'ixc:t1:contrato:5:produto:OLLI-CAMERA',
      items: [{ product_id: 'OLLI-CAMERA', quantity: 9 }],
    });
    expect(over.status).toBe(409);
    expect(over.body?.code).toBe('LICENSE_LIMIT_REACHED');
    const lic = await call('POST', `/subscriptions/${subId}/licenses`, {
      external_id: 'ixc:t1:contrato:5:produto:OLLI-CAMERA',
      items: [{ product_id: 'OLLI-CAMERA', quantity: 2 }],
    });
    expect(lic.status).toBe(201);
    expect(typeof lic.body?.code).toBe('string');
    expect((await call('DELETE', `/licenses/${String(lic.body?.id)}`)).status).toBe(204);
    expect((await call('PATCH', `/licenses/${String(lic.body?.id)}`, { status: 'active' })).status).toBe(409);
    expect((await call('PATCH', `/subscriptions/${subId}`, { status: 'suspended', reason: 'past_due' })).status).toBe(200);
    expect((await call('PATCH', `/subscriptions/${subId}`, { status: 'suspended', reason: 'past_due' })).status).toBe(200);
    expect((await call('PATCH', `/subscriptions/${subId}`, { status: 'cancelled', reason: 'contract_cancelled' })).status).toBe(200);
    const back = await call('PATCH', `/subscriptions/${subId}`, { status: 'active' });
    expect(back.status).toBe(409);
    expect(back.body?.code).toBe('INVALID_STATUS_TRANSITION');
    const again = await call('POST', `/customers/${String(customer.body?.id)}/subscriptions`, { external_id: 'ixc:t1:contrato:5' });
    expect(again.status).toBe(409);
    expect(again.body?.existing_id).toBe(subId);
  });

  it('injects 429 with Retry-After, outages, counts requests and records overlapping writes per contract', async () => {
    await sandbox.admin.setFault('GET /products', { rateLimitRetryAfterSeconds: 3, remaining: 1 });
    const limited = await call('GET', '/products');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await call('GET', '/products')).status).toBe(200);
    await sandbox.admin.setFault('*', { outage: true });
    expect((await call('GET', '/products')).status).toBe(503);
    await sandbox.admin.clearFaults();

    const customer = await call('POST', '/customers', { name: 'Ana', document: '52998224725', document_type: 'CPF' });
    await sandbox.admin.setFault('POST /customers/{customerId}/subscriptions', { latencyMs: 300 });
    const both = await Promise.all([
      call('POST', `/customers/${String(customer.body?.id)}/subscriptions`, { external_id: 'ixc:t1:contrato:7' }),
      call('POST', `/customers/${String(customer.body?.id)}/subscriptions`, { external_id: 'ixc:t1:contrato:7' }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    const state = await sandbox.admin.state();
    expect(state.overlaps['t1:7']).toBe(1);
    expect(state.requestCounts['GET /products']).toBe(3);
    expect(state.writeCalls).toBe(3);
  });
});
