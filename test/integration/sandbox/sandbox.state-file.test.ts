import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandboxProcess } from '../../helpers/sandbox-process';

jest.setTimeout(60_000);

describe('sandbox state file and catalogue file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('seeds the given catalogue and keeps customers across a restart', async () => {
    const catalogFile = path.join(dir, 'catalog.json');
    writeFileSync(catalogFile, JSON.stringify([{ id: 'P-ONE', name: 'Produto Um', maxDevices: 2 }]));
    const stateFile = path.join(dir, 'state.json');
    const first = await startSandboxProcess({ stateFile, catalogFile });
    let customerId: string;
    try {
      const tokenResponse = await fetch(`${first.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: first.clientId, client_secret: first.clientSecret }),
      });
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      const created = await fetch(`${first.url}/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: 'Ana', document: '52998224725', document_type: 'CPF' }),
      });
      expect(created.status).toBe(201);
      customerId = ((await created.json()) as { id: string }).id;
      expect((await first.admin.state()).products.map((p) => p.id)).toEqual(['P-ONE']);
    } finally {
      await first.stop();
    }
    const second = await startSandboxProcess({ stateFile });
    try {
      const state = await second.admin.state();
      expect(state.customers.map((c) => c.id)).toEqual([customerId]);
      expect(state.products.map((p) => p.id)).toEqual(['P-ONE']);
    } finally {
      await second.stop();
    }
  });
});
