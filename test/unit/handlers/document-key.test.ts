import { createHash } from 'node:crypto';
import { DOCUMENT_KEY_LABEL, documentKey } from '../../../src/handlers/domain/document-key';

describe('document key', () => {
  const cpf = '21111496323';
  const cnpj = '12ABC34501DE35';

  it('is 64 hex characters that never carry the document, in any form', () => {
    for (const doc of [cpf, cnpj]) {
      const key = documentKey(doc);
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(key).not.toContain(doc.slice(0, 6));
      expect(key).not.toContain(doc.slice(-5).toLowerCase());
    }
  });

  it('is one key per document: stable, distinct across documents', () => {
    expect(documentKey(cpf)).toBe(documentKey(cpf));
    expect(documentKey('52998224725')).not.toBe(documentKey(cpf));
    expect(documentKey(cnpj)).not.toBe(documentKey(cnpj.toLowerCase()));
  });

  it("is SHA-256 of the label and the document, the formula migration m0008 uses in SQL", () => {
    expect(DOCUMENT_KEY_LABEL).toBe('ixc-iot-sync:document:');
    expect(documentKey(cpf)).toBe(createHash('sha256').update(`ixc-iot-sync:document:${cpf}`).digest('hex'));
  });
});
