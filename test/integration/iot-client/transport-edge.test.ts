import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { PlatformError } from '../../../src/handlers/ports/platform-errors';
import { createIotPlatformClient, type IotPlatformClient } from '../../../src/iot-client/iot-platform-client';
import { IotApiPermanentError } from '../../../src/iot-client/errors';
import type { ApiAuditRecorder } from '../../../src/iot-client/api-audit-recorder';
import type { TokenStore } from '../../../src/iot-client/token-store';

/**
 * The HTTP edge against a real HTTP server that misbehaves on purpose: what leaves it (errors,
 * audit entries) carries method, path, status and code only — never the request's credentials,
 * the token, the platform's free text or an unbounded body.
 */
const CLIENT_SECRET = 'edge-client-secret-7f3a91';
const ACCESS_TOKEN = 'edge-access-token-55c2e0';
const CUSTOMER_NAME = 'Maria Aparecida Souza';

type Behaviour = 'reset' | 'problem' | 'huge';
let behaviour: Behaviour = 'reset';

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/oauth/token' && behaviour !== 'reset') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: ACCESS_TOKEN, expires_in: 3600 }));
      return;
    }
    if (behaviour === 'reset') {
      req.socket.destroy();
      return;
    }
    if (behaviour === 'problem') {
      res.writeHead(422, { 'content-type': 'application/problem+json' }).end(
        JSON.stringify({
          type: 'about:blank', title: `Customer ${CUSTOMER_NAME} rejected`, status: 422, code: 'VALIDATION_ERROR',
          detail: `The name ${CUSTOMER_NAME} is already used by another customer`,
          errors: [{ field: 'name', message: `${CUSTOMER_NAME} is not unique` }], request_id: 'req-1',
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items: [{ id: 'p1', name: 'x'.repeat(2_000_000) }] }));
  });
});

const tokenStore: TokenStore = {
  read: async () => null,
  write: async () => undefined,
  credentials: async () => ({ clientId: 'edge-client', clientSecret: CLIENT_SECRET }),
};
const audited: unknown[] = [];
const audit = { record: (entry: unknown) => audited.push(entry) } as unknown as ApiAuditRecorder;

let client: IotPlatformClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = createIotPlatformClient(
    { tokenStore, audit },
    { baseUrl: `http://127.0.0.1:${port}`, maxAttempts: 1, maxResponseBytes: 65_536, breakerVolumeThreshold: 1000, breakerHostVolumeThreshold: 1000 },
  );
});

afterAll(async () => {
  client.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failure(call: () => Promise<unknown>): Promise<Error> {
  try {
    await call();
  } catch (thrown) {
    return thrown as Error;
  }
  throw new Error('the call did not fail');
}

/** Every way the error could be printed: util.inspect (Node's crash output), JSON, String. */
function printed(err: Error): string {
  return [inspect(err, { depth: 20, showHidden: true }), JSON.stringify(err), String(err), err.stack ?? ''].join('\n');
}

describe('errors leaving the HTTP edge', () => {
  it('a failed token call carries method, path and code: no client secret, no library error as cause', async () => {
    behaviour = 'reset';
    const err = await failure(() => client.checkToken());
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.message).toBe('POST /oauth/token failed: ECONNRESET');
    expect(err.cause).toBeUndefined();
    expect(printed(err)).not.toContain(CLIENT_SECRET);
  });

  it('a failed authorised call does not carry the bearer token', async () => {
    behaviour = 'problem';
    await client.checkToken();
    behaviour = 'reset';
    const err = await failure(() => client.getCustomer('c-1'));
    expect(err.message).toBe('GET /customers/{id} failed: ECONNRESET');
    expect(printed(err)).not.toContain(ACCESS_TOKEN);
  });

  it("a platform problem keeps status, code and field names, never the platform's free text", async () => {
    behaviour = 'problem';
    const err = await failure(() => client.getCustomer('c-2'));
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.message).toBe('GET /customers/{id} → 422 VALIDATION_ERROR');
    expect((err as IotApiPermanentError).fieldErrors.map((f) => f.field)).toEqual(['name']);
    expect(printed(err)).not.toContain('Maria');
    expect(JSON.stringify(audited)).not.toContain('Maria');
    expect(JSON.stringify(audited)).toContain('VALIDATION_ERROR');
  });

  it('a response body above the cap is refused, not buffered', async () => {
    behaviour = 'huge';
    const err = await failure(() => client.getCustomer('c-3'));
    expect(err.message).toBe('GET /customers/{id} failed: ERESPONSETOOLARGE');
    expect((err as PlatformError).code).toBe('ERESPONSETOOLARGE');
  });
});
