import { PassThrough } from 'node:stream';
import { createLogger } from '../../../src/lib/logger';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  const logger = createLogger({ level: 'debug', format: 'json', stream });
  return { logger, text: () => text };
}

describe('logger', () => {
  it('keeps error classes readable and masks personal data and secrets in fields and messages', async () => {
    const { logger, text } = capture();
    class IotApiPermanentError extends Error {
      override name = 'IotApiPermanentError';
    }
    logger.error('request failed for 211.114.963-23', {
      error: new IotApiPermanentError('customer maria@example.com rejected'),
      customer: { name: 'Maria Souza', document: '21111496323' },
      client_secret: 'abcdef0123456789abcdef',
      headers: { authorization: 'Bearer eyJhbGciOi.abc.def' },
    });
    await new Promise((resolve) => setImmediate(resolve));
    const line = text();
    expect(line).toContain('"class":"IotApiPermanentError"');
    for (const leak of ['211.114.963-23', '21111496323', 'maria@example.com', 'Maria Souza', 'abcdef0123456789abcdef', 'eyJhbGciOi.abc.def']) {
      expect(line).not.toContain(leak);
    }
  });
});
