import { maskDocument, maskEmail, maskName, maskPhone, maskText, redactValue } from '../../../src/lib/mask';

describe('masking', () => {
  it('masks CPF and CNPJ, formatted, bare and alphanumeric', () => {
    expect(maskDocument('211.114.963-23')).toBe('211.***.***-23');
    expect(maskDocument('21111496323')).toBe('211.***.***-23');
    expect(maskDocument('41.374.306/0001-95')).toBe('41.***.***/****-95');
    expect(maskDocument('12ABC34501DE35')).toBe('12.***.***/****-35');
  });

  it('masks e-mails, names and phones', () => {
    expect(maskEmail('maria.souza@example.com')).toBe('m***@example.com');
    expect(maskName('Maria Aparecida Souza')).toBe('M*** A*** S***');
    expect(maskPhone('(17) 99812-3456')).toBe('***3456');
  });

  it('masks documents, e-mails and bearer tokens inside free text, idempotently', () => {
    const text = 'customer 211.114.963-23 / 41374306000195 mail maria@example.com Authorization: Bearer abc.def.ghi client_secret=s3cr3tvalue';
    const masked = maskText(text);
    expect(masked).not.toContain('211.114.963-23');
    expect(masked).not.toContain('41374306000195');
    expect(masked).not.toContain('maria@example.com');
    expect(masked).not.toContain('abc.def.ghi');
    expect(masked).not.toContain('s3cr3tvalue');
    expect(maskText(masked)).toBe(masked);
  });

  it('redacts nested objects by key', () => {
    const out = redactValue({
      client_id: 'client-1',
      client_secret: 'a-very-long-secret-value',
      access_token: 'token-value-123456',
      customer: { name: 'Maria Souza', document: '21111496323', email: 'maria@example.com', phone: '+5517998123456' },
      items: [{ product_id: 'p1', quantity: 2 }],
    });
    const text = JSON.stringify(out);
    expect(text).not.toContain('a-very-long-secret-value');
    expect(text).not.toContain('token-value-123456');
    expect(text).not.toContain('21111496323');
    expect(text).not.toContain('Maria Souza');
    expect(text).toContain('client-1');
    expect(text).toContain('"quantity":2');
  });
});
