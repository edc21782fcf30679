import { PassThrough } from 'node:stream';
import type { DataSource } from 'typeorm';
import { createAppDataSource } from '../../../src/entities/create-data-source';
import { CustomerValidationError } from '../../../src/handlers/domain/customer/validation-error';
import { customerExternalId, licenceExternalId, subscriptionExternalId } from '../../../src/handlers/domain/external-refs';
import { IotApiPermanentError, IotBreakerOpenError, IotRescheduleError } from '../../../src/iot-client/errors';
import { createApiAuditRecorder, type ApiAuditRecorder } from '../../../src/iot-client/api-audit-recorder';
import { createIntegrationTokenStore, type TokenStore } from '../../../src/iot-client/token-store';
import { createIotPlatformClient, type IotPlatformClient } from '../../../src/iot-client/iot-platform-client';
import { purgeApiAudit } from '../../../src/iot-client/api-audit-purge';
import type { IotClientOptions } from '../../../src/iot-client/client-options';
import { createLogger } from '../../../src/lib/logger';
import { DEFAULT_CATALOG } from '../../../src/sandbox/default-catalog';
import { runMigrations } from '../../../src/migrations/run-migrations';
import { startSandboxProcess, type SandboxProcess } from '../../helpers/sandbox-process';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database';
import { waitFor } from '../../helpers/wait-for';

/** A valid CPF from a 9-digit base. */
function makeCpf(base: string): string {
  const digits = base.split('').map(Number);
  for (const len of [9, 10]) {
    const sum = digits.slice(0, len).reduce((acc, d, i) => acc + d * (len + 1 - i), 0);
    const rest = (sum * 10) % 11;
    digits.push(rest === 10 ? 0 : rest);
  }
  return digits.join('');
}

const TENANT = 'it01';

jest.setTimeout(120_000);

describe('IoT client against the sandbox process', () => {
  let sandbox: SandboxProcess;
  let testDb: TestDatabase;
  let dataSource: DataSource;
  let audit: ApiAuditRecorder;
  let syncSchema: string;
  const logStream = new PassThrough();
  let logText = '';
  logStream.on('data', (chunk: Buffer) => {
    logText += chunk.toString();
  });
  const logger = createLogger({ level: 'debug', format: 'json', stream: logStream });
  const seenTokens = new Set<string>();
  const usedCpfs: string[] = [];
  const clients: IotPlatformClient[] = [];
  let tokenStore: TokenStore;

  const cpf = (base: string) => {
    const value = makeCpf(base);
    usedCpfs.push(value);
    return value;
  };

  const newClient = (options: Partial<IotClientOptions> = {}) => {
    const client = createIotPlatformClient(
      { tokenStore, audit, logger },
      {
        baseUrl: sandbox.url,
        backoffBaseMs: 20,
        backoffMaxMs: 100,
        readTimeoutMs: 1500,
        connectTimeoutMs: 1000,
        breakerResetTimeoutMs: 300,
        renewBeforeExpiryMs: 0,
        catalogCacheMs: 0,
        ...options,
      },
    );
    clients.push(client);
    return client;
  };

  const customerInput = (id: number, document: string, email?: string) => ({
    externalId: customerExternalId(TENANT, id),
    name: `Cliente Teste ${id}`,
    document,
    documentType: 'CPF' as const,
    ...(email ? { email } : {}),
    phone: '(17) 99812-3456',
  });

  beforeAll(async () => {
    sandbox = await startSandboxProcess();
    testDb = await createTestDatabase();
    await runMigrations(testDb.db);
    syncSchema = testDb.db.syncSchema;
    await testDb.admin.query(`INSERT INTO \`${testDb.db.ixcDatabase}\`.integracoes_iot (id, integracao, client_id, client_secret) VALUES (1, 'olli', ?, ?)`, [
      sandbox.clientId,
      sandbox.clientSecret,
    ]);
    const app = createAppDataSource(testDb.db);
    dataSource = app.dataSource;
    await dataSource.initialize();
    audit = createApiAuditRecorder({ dataSource, entity: app.sync.ApiAudit, logger }, { instance: 'it' });
    // Records every token the client stores or reads, so the leak check below can search for them.
    const inner = createIntegrationTokenStore(dataSource, 1);
    tokenStore = {
      read: async () => {
        const token = await inner.read();
        if (token) seenTokens.add(token.accessToken);
        return token;
      },
      write: async (token) => {
        seenTokens.add(token.accessToken);
        await inner.write(token);
      },
      credentials: () => inner.credentials(),
    };
  });

  afterEach(async () => {
    await sandbox.admin.clearFaults();
    await audit.flush();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await dataSource?.destroy();
    await testDb?.drop();
    await sandbox?.stop();
  });

  it('shares one token between concurrent calls and instances, and hides a token expiring mid-run', async () => {
    const a = newClient();
    const b = newClient();
    await Promise.all(Array.from({ length: 8 }, () => a.listProducts()));
    const afterFirst = (await sandbox.admin.state()).tokenCalls;
    expect(afterFirst).toBe(1);
    // b reads the token a cached in integracoes_iot instead of asking for its own
    await b.listProducts();
    expect((await sandbox.admin.state()).tokenCalls).toBe(1);

    // every issued token dies now: the next calls see 401, refresh once (single-flight) and succeed
    await sandbox.admin.expireTokens();
    const results = await Promise.all(Array.from({ length: 6 }, () => a.listProducts()));
    expect(results.every((products) => products.length === 4)).toBe(true);
    expect((await sandbox.admin.state()).tokenCalls).toBe(2);
    // b gets a 401 with its old token, re-reads the row and finds a's fresh one: no token call
    await expect(b.listProducts()).resolves.toHaveLength(4);
    expect((await sandbox.admin.state()).tokenCalls).toBe(2);

    // short-lived tokens (expires_in 1 s): renewed while a run goes on, no call fails
    await sandbox.admin.setTokenLifetime(1);
    await sandbox.admin.expireTokens();
    const c = newClient();
    const before = (await sandbox.admin.state()).tokenCalls;
    let failures = 0;
    let calls = 0;
    await waitFor(
      async () => {
        calls += 1;
        await c.listProducts().catch(() => {
          failures += 1;
        });
        return (await sandbox.admin.state()).tokenCalls >= before + 3;
      },
      { what: 'three token renewals', intervalMs: 100, timeoutMs: 15_000 },
    );
    expect(failures).toBe(0);
    expect(calls).toBeGreaterThan(3);
    await sandbox.admin.setTokenLifetime(3600);
  });

  it('waits at least Retry-After on a 429, in seconds and as an HTTP date, and reschedules long waits', async () => {
    const client = newClient();
    await client.listProducts();
    await sandbox.admin.setFault('GET /products', { rateLimitRetryAfterSeconds: 1, remaining: 1 });
    let started = Date.now();
    await expect(client.listProducts()).resolves.toHaveLength(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);

    await sandbox.admin.setFault('GET /products', { rateLimitRetryAfterSeconds: 2, retryAfterAsDate: true, remaining: 1 });
    started = Date.now();
    await expect(client.listProducts()).resolves.toHaveLength(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // HTTP dates have whole seconds

    await sandbox.admin.setFault('GET /products', { rateLimitRetryAfterSeconds: 30 });
    const count = (await sandbox.admin.state()).requestCounts['GET /products'] ?? 0;
    const err = await client.listProducts().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IotRescheduleError);
    expect((err as IotRescheduleError).retryAfterMs).toBe(30_000);
    expect((await sandbox.admin.state()).requestCounts['GET /products']).toBe(count + 1);
  });

  it('retries 5xx transparently and never retries a 4xx', async () => {
    const client = newClient();
    await client.listProducts();
    const count = async (endpoint: string) => (await sandbox.admin.state()).requestCounts[endpoint] ?? 0;
    await sandbox.admin.setFault('GET /products', { errorRate: 1, errorStatus: 502, remaining: 2 });
    const products = await count('GET /products');
    await expect(client.listProducts()).resolves.toHaveLength(4);
    expect(await count('GET /products')).toBe(products + 3);

    const gets = await count('GET /licenses/{id}');
    await expect(client.getLicence('missing')).resolves.toBeNull();
    expect(await count('GET /licenses/{id}')).toBe(gets + 1);

    await sandbox.admin.setFault('PATCH /licenses/{id}', { errorRate: 1, errorStatus: 400 });
    const patches = await count('PATCH /licenses/{id}');
    await expect(client.setLicenceStatus('whatever', 'blocked')).rejects.toBeInstanceOf(IotApiPermanentError);
    expect(await count('PATCH /licenses/{id}')).toBe(patches + 1);
  });

  it('opens the breaker during an outage, stops calling, and closes it after recovery', async () => {
    const client = newClient();
    await client.listProducts();
    const opened: string[] = [];
    client.events.on('breaker:open', (e: { breaker: string }) => opened.push(e.breaker));
    await sandbox.admin.setFault('GET /subscriptions/{id}', { outage: true });
    let breakerError: unknown;
    for (let i = 0; i < 5 && !breakerError; i += 1) {
      await client.getSubscription('nope').catch((e: unknown) => {
        if (e instanceof IotBreakerOpenError) breakerError = e;
      });
    }
    expect(breakerError).toBeInstanceOf(IotBreakerOpenError);
    expect(client.breakerStates()['GET /subscriptions/{id}']).toBe('open');
    expect(opened).toContain('GET /subscriptions/{id}');
    const calls = (await sandbox.admin.state()).requestCounts['GET /subscriptions/{id}'];
    await expect(client.getSubscription('nope')).rejects.toBeInstanceOf(IotBreakerOpenError);
    expect((await sandbox.admin.state()).requestCounts['GET /subscriptions/{id}']).toBe(calls);

    await sandbox.admin.clearFaults();
    await waitFor(
      async () => {
        try {
          return (await client.getSubscription('nope')) === null;
        } catch (err) {
          if (err instanceof IotBreakerOpenError) return false;
          throw err;
        }
      },
      { what: 'breaker to let calls through again', timeoutMs: 10_000 },
    );
    expect(client.breakerStates()['GET /subscriptions/{id}']).toBe('closed');
    expect(client.breakerStates().host).toBe('closed');
  });

  it('never duplicates a create that timed out after the sandbox committed it', async () => {
    const client = newClient();
    const input = customerInput(101, cpf('101000101'), 'cliente101@example.com');
    await sandbox.admin.setFault('POST /customers', { commitThenTimeoutMs: 3000, remaining: 1 });
    const result = await client.findOrCreateCustomer(input);
    const state = await sandbox.admin.state();
    const mine = state.customers.filter((c) => (c as { document: string }).document === input.document);
    expect(mine).toHaveLength(1);
    expect(result.value.id).toBe((mine[0] as { id: string }).id);
    expect(state.requestCounts['POST /customers']).toBe(1);

    // the same for a licence
    const sub = await client.findOrCreateSubscription(result.value.id, { externalId: subscriptionExternalId(TENANT, 101) });
    await sandbox.admin.setFault('POST /subscriptions/{id}/licenses', { commitThenTimeoutMs: 3000, remaining: 1 });
    const licence = await client.findOrCreateLicence(sub.value.id, {
      externalId: licenceExternalId(TENANT, 101, 'OLLI-CAMERA'),
      items: [{ productId: 'OLLI-CAMERA', quantity: 2 }],
    });
    const after = await sandbox.admin.state();
    expect(after.licences.filter((l) => (l as { subscription_id: string }).subscription_id === sub.value.id)).toHaveLength(1);
    expect(licence.value.code).toMatch(/^SANDBOX-/);
    // found again later: not created twice
    await expect(client.findOrCreateLicence(sub.value.id, {
      externalId: licenceExternalId(TENANT, 101, 'OLLI-CAMERA'),
      items: [{ productId: 'OLLI-CAMERA', quantity: 2 }],
    })).resolves.toMatchObject({ created: false, value: { id: licence.value.id } });
  });

  it('resolves a 409 to the existing object and never adopts someone else', async () => {
    const client = newClient();
    const doc = cpf('202000202');
    const customer = await client.findOrCreateCustomer(customerInput(202, doc));
    expect(customer.created).toBe(true);
    // two creates race (different bodies, so different keys): one gets 409 and resolves to the winner
    await sandbox.admin.setFault('POST /customers/{customerId}/subscriptions', { latencyMs: 300 });
    const externalId = subscriptionExternalId(TENANT, 202);
    const [x, y] = await Promise.all([
      client.findOrCreateSubscription(customer.value.id, { externalId, startDate: '2026-01-01' }),
      newClient().findOrCreateSubscription(customer.value.id, { externalId, startDate: '2026-01-02' }),
    ]);
    expect(x.value.id).toBe(y.value.id);
    expect([x.created, y.created].sort()).toEqual([false, true]);
    const state = await sandbox.admin.state();
    expect(state.subscriptions.filter((s) => (s as { external_id: string }).external_id === externalId)).toHaveLength(1);
    expect(state.statusCounts['409']).toBeGreaterThanOrEqual(1);

    // the same customer under a second IXC id (duplicate registration): 409 → the existing customer
    const [p, q] = await Promise.all([
      client.findOrCreateCustomer(customerInput(203, cpf('203000203'))),
      newClient().findOrCreateCustomer({ ...customerInput(204, usedCpfs[usedCpfs.length - 1] ?? ''), name: 'Outro Nome' }),
    ]);
    expect(p.value.id).toBe(q.value.id);

    // an e-mail owned by a different document: the conflict is reported, not adopted
    await client.findOrCreateCustomer(customerInput(205, cpf('205000205'), 'shared205@example.com'));
    const err = await client.findOrCreateCustomer(customerInput(206, cpf('206000206'), 'shared205@example.com')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IotApiPermanentError);
    expect((err as IotApiPermanentError).status).toBe(409);
  });

  it('never sends an invalid CPF or CNPJ, and a corrected body after a 422 succeeds', async () => {
    const client = newClient();
    await client.listProducts();
    const before = await sandbox.admin.state();
    const total = (s: typeof before) => Object.values(s.requestCounts).reduce((a, b) => a + b, 0);
    for (const document of ['52998224724', '11111111111', '529982247']) {
      await expect(client.findOrCreateCustomer(customerInput(301, document))).rejects.toBeInstanceOf(CustomerValidationError);
    }
    await expect(
      client.findOrCreateCustomer({ ...customerInput(302, '11222333000182'), documentType: 'CNPJ' }),
    ).rejects.toBeInstanceOf(CustomerValidationError);
    expect(total(await sandbox.admin.state())).toBe(total(before));

    const customer = await client.findOrCreateCustomer({ ...customerInput(303, '12ABC34501DE35'), documentType: 'CNPJ' });
    const sub = await client.findOrCreateSubscription(customer.value.id, { externalId: subscriptionExternalId(TENANT, 303) });
    const externalId = licenceExternalId(TENANT, 303, 'OLLI-SENSOR-PORTA');
    const rejected = await client
      .findOrCreateLicence(sub.value.id, { externalId, items: [{ productId: 'NO-SUCH-PRODUCT', quantity: 1 }] })
      .catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(IotApiPermanentError);
    expect((rejected as IotApiPermanentError).status).toBe(422);
    expect((rejected as IotApiPermanentError).fieldErrors[0]?.field).toMatch(/product_id/);
    const fixed = await client.findOrCreateLicence(sub.value.id, { externalId, items: [{ productId: 'OLLI-SENSOR-PORTA', quantity: 3 }] });
    expect(fixed.created).toBe(true);

    // business limits and terminal states surface as permanent errors; status changes are absolute
    const over = await client
      .findOrCreateLicence(sub.value.id, { externalId: licenceExternalId(TENANT, 303, 'OLLI-CAMERA'), items: [{ productId: 'OLLI-CAMERA', quantity: 99 }] })
      .catch((e: unknown) => e);
    expect((over as IotApiPermanentError).code).toBe('LICENSE_LIMIT_REACHED');
    await expect(client.updateLicenceItems(fixed.value.id, [{ productId: 'OLLI-SENSOR-PORTA', quantity: 5 }])).resolves.toMatchObject({
      id: fixed.value.id, code: fixed.value.code, items: [{ productId: 'OLLI-SENSOR-PORTA', quantity: 5 }],
    });
    await expect(client.setLicenceStatus(fixed.value.id, 'blocked')).resolves.toMatchObject({ status: 'blocked' });
    await expect(client.setSubscriptionStatus(sub.value.id, 'suspended', 'past_due')).resolves.toMatchObject({ status: 'suspended' });
    await expect(client.setSubscriptionStatus(sub.value.id, 'suspended', 'past_due')).resolves.toMatchObject({ status: 'suspended' });
    await client.revokeLicence(fixed.value.id);
    await client.revokeLicence('does-not-exist');
    await expect(client.getLicence(fixed.value.id)).resolves.toMatchObject({ status: 'revoked' });
    await expect(client.setSubscriptionStatus(sub.value.id, 'cancelled', 'contract_cancelled')).resolves.toMatchObject({ status: 'cancelled' });
    const transition = await client.setSubscriptionStatus(sub.value.id, 'active', 'manual').catch((e: unknown) => e);
    expect((transition as IotApiPermanentError).code).toBe('INVALID_STATUS_TRANSITION');
  });

  it('reads every page of a list and updates contact data', async () => {
    const client = newClient();
    await sandbox.admin.setCatalog(Array.from({ length: 150 }, (_, i) => ({ id: `P-${i}`, name: `Produto ${i}`, maxDevices: 5 })));
    try {
      const products = await client.listProducts();
      expect(products).toHaveLength(150);
      expect(new Set(products.map((p) => p.id)).size).toBe(150);
    } finally {
      await sandbox.admin.setCatalog([...DEFAULT_CATALOG]);
    }

    const customer = await client.findOrCreateCustomer(customerInput(401, cpf('401000401'), 'antes401@example.com'));
    await expect(client.updateCustomer(customer.value.id, { email: 'depois401@Example.com', phone: '(11) 3222-4410' })).resolves.toMatchObject({
      id: customer.value.id,
      email: 'depois401@example.com',
    });
    await expect(client.findCustomersByEmail('depois401@example.com')).resolves.toHaveLength(1);
    await expect(client.updateCustomer(customer.value.id, { email: 'not-an-email' })).rejects.toBeInstanceOf(CustomerValidationError);
    await client.findOrCreateCustomer(customerInput(402, cpf('402000402'), 'outro402@example.com'));
    const taken = await client.updateCustomer(customer.value.id, { email: 'outro402@example.com' }).catch((e: unknown) => e);
    expect((taken as IotApiPermanentError).status).toBe(409);
  });

  it('audits every request, with Idempotency-Keys on creates and no secret, token or unmasked CPF anywhere', async () => {
    await audit.flush();
    const state = await sandbox.admin.state();
    const requests = Object.values(state.requestCounts).reduce((a, b) => a + b, 0);
    const rows = (await dataSource.query(`SELECT * FROM \`${syncSchema}\`.api_audit ORDER BY id`)) as Array<Record<string, unknown>>;
    expect(rows.length).toBe(requests);
    const posts = rows.filter((r) => r.method === 'POST' && r.endpoint !== 'POST /oauth/token');
    expect(posts.length).toBeGreaterThan(5);
    expect(posts.every((r) => typeof r.idempotency_key === 'string' && (r.idempotency_key as string).length > 64)).toBe(true);
    expect(rows.filter((r) => r.endpoint === 'POST /oauth/token').every((r) => r.idempotency_key === null)).toBe(true);
    expect(rows.some((r) => r.contract_id === null)).toBe(true);

    const haystacks = [JSON.stringify(rows), logText, sandbox.output()];
    expect(seenTokens.size).toBeGreaterThanOrEqual(2);
    for (const text of haystacks) {
      expect(text).not.toContain(sandbox.clientSecret);
      for (const token of seenTokens) expect(text).not.toContain(token);
      for (const doc of usedCpfs) {
        expect(text).not.toContain(doc);
        expect(text).not.toContain(`${doc.slice(0, 3)}.${doc.slice(3, 6)}.${doc.slice(6, 9)}-${doc.slice(9)}`);
      }
    }
    expect(logText.length).toBeGreaterThan(0);
  });

  it('purges audit rows past the retention in batches', async () => {
    await dataSource.query(
      `INSERT INTO \`${syncSchema}\`.api_audit (at, method, path, duration_ms, attempt) VALUES
        (UTC_TIMESTAMP(3) - INTERVAL 100 DAY, 'GET', '/old', 1, 1), (UTC_TIMESTAMP(3) - INTERVAL 95 DAY, 'GET', '/old', 1, 1),
        (UTC_TIMESTAMP(3) - INTERVAL 91 DAY, 'GET', '/old', 1, 1)`,
    );
    const before = (await dataSource.query(`SELECT COUNT(*) AS n FROM \`${syncSchema}\`.api_audit`)) as Array<{ n: string }>;
    const deleted = await purgeApiAudit(dataSource, syncSchema, { retentionDays: 90, batchSize: 2 });
    expect(deleted).toBe(3);
    const after = (await dataSource.query(`SELECT COUNT(*) AS n FROM \`${syncSchema}\`.api_audit`)) as Array<{ n: string }>;
    expect(Number(after[0]?.n)).toBe(Number(before[0]?.n) - 3);
    const rows = (await dataSource.query(`SELECT COUNT(*) AS n FROM \`${syncSchema}\`.api_audit WHERE path = '/old'`)) as Array<{ n: string }>;
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
