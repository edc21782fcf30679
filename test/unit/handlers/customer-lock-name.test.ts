import { customerLockName } from '../../../src/handlers/apply/ensure-customer';

describe('customer lock name', () => {
  const cpf = '21111496323';
  const cnpj = '12ABC34501DE35';

  it('never carries the document, in any form', () => {
    for (const doc of [cpf, cnpj]) {
      const name = customerLockName('ixc_iot_sync', '12345678000199', doc);
      expect(name).not.toContain(doc);
      expect(name).not.toContain(doc.slice(0, 6));
      expect(name.toLowerCase()).not.toContain(doc.slice(-5).toLowerCase());
    }
  });

  it('is one lock per document: stable for a document, distinct across documents, tenants and schemas', () => {
    const name = customerLockName('ixc_iot_sync', 't1', cpf);
    expect(customerLockName('ixc_iot_sync', 't1', cpf)).toBe(name);
    expect(customerLockName('ixc_iot_sync', 't1', '52998224725')).not.toBe(name);
    expect(customerLockName('ixc_iot_sync', 't2', cpf)).not.toBe(name);
    expect(customerLockName('other_schema', 't1', cpf)).not.toBe(name);
  });

  it('fits MariaDB lock names (64 characters) whatever the schema', () => {
    expect(customerLockName('s'.repeat(64), 't'.repeat(40), cnpj).length).toBeLessThanOrEqual(64);
  });
});
