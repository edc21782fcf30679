import { startSandboxProcess, type SandboxProcess } from '../../helpers/sandbox-process';

jest.setTimeout(60_000);

// The platform's concurrency cap (benchmarks run against it): excess requests wait, none is refused.
describe('sandbox concurrency cap', () => {
  let sandbox: SandboxProcess;

  beforeAll(async () => {
    sandbox = await startSandboxProcess();
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  async function token(): Promise<string> {
    const response = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: sandbox.clientId, client_secret: sandbox.clientSecret }),
    });
    return ((await response.json()) as { access_token: string }).access_token;
  }

  async function setCap(max: unknown): Promise<Response> {
    return fetch(`${sandbox.url}/__admin/concurrency`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ max }) });
  }

  it('with a cap of 3 and a slow endpoint, 12 parallel requests all succeed and at most 3 are handled at once', async () => {
    const bearer = await token();
    expect((await setCap(3)).status).toBe(200);
    await sandbox.admin.setFault('GET /products', { latencyMs: 150 });
    const statuses = await Promise.all(
      Array.from({ length: 12 }, async () => (await fetch(`${sandbox.url}/products`, { headers: { authorization: `Bearer ${bearer}` } })).status),
    );
    expect(statuses).toEqual(Array(12).fill(200));
    const { concurrency } = await sandbox.admin.state();
    expect(concurrency.max).toBe(3);
    expect(concurrency.peakInFlight).toBe(3);
    expect(concurrency.peakQueued).toBeGreaterThan(0);
    expect(concurrency).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('the admin API is outside the cap, refuses a bad value, and a reset restores the start-up cap (none)', async () => {
    expect((await setCap(1)).status).toBe(200);
    await sandbox.admin.setFault('GET /products', { latencyMs: 300 });
    const bearer = await token();
    const slow = fetch(`${sandbox.url}/products`, { headers: { authorization: `Bearer ${bearer}` } });
    // While the one place is taken, the admin state still answers.
    const state = await sandbox.admin.state();
    expect(state.concurrency.max).toBe(1);
    expect((await slow).status).toBe(200);
    expect((await setCap(-2)).status).toBe(400);
    await sandbox.admin.reset();
    expect((await sandbox.admin.state()).concurrency.max).toBe(0);
  });
});
