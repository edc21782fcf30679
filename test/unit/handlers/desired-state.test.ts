import { buildDesiredState, type ContractSource } from '../../../src/handlers/plan/desired-state';

const OPTIONS = { integrationId: 1, tenantId: 't1', negativadoPolicy: 'suspend', overduePolicy: 'suspend' } as const;
const products = new Map([
  [5, { id: 5, descricao: 'Casa Inteligente Olli', ativo: 'S', idIntegracaoIot: 1, idProdutoIot: 'CASA' }],
  [7, { id: 7, descricao: 'Sensor de porta', ativo: 'S', idIntegracaoIot: 1, idProdutoIot: 'SENSOR' }],
  [8, { id: 8, descricao: 'Sensor de porta (outra linha)', ativo: 'S', idIntegracaoIot: 1, idProdutoIot: 'SENSOR' }],
]);
const line = (id: number, produto: number, qtde: number, own: boolean) => ({
  id,
  idVdContrato: own ? 0 : 2,
  idContrato: own ? 1 : 0,
  idProduto: produto,
  qtde,
  descricao: null,
  idContratoProdutoPlano: null,
});
const source = (over: Partial<ContractSource> = {}): ContractSource => ({
  contractId: 1,
  contract: { id: 1, idCliente: 1, idVdContrato: 2, status: 'A', statusInternet: 'A' },
  cliente: { id: 1, razao: ' Ana  Lima ', cnpjCpf: '211.114.963-23', tipoPessoa: 'F', email: 'ana@example.com', telefoneCelular: '(17) 99812-3456' },
  lines: [line(3, 5, 1, false), line(13, 7, 1, true), line(14, 8, 2, true)],
  products,
  ...over,
});

describe('buildDesiredState', () => {
  it('one licence per platform product, quantities summed over plan and own lines, one entry per line', () => {
    const desired = buildDesiredState(source(), OPTIONS);
    expect(desired.decision).toMatchObject({ target: 'active', rule: 4 });
    expect(desired.licences).toEqual([
      { platformProductId: 'CASA', quantity: 1, lines: [{ lineId: 3, quantity: 1 }], description: 'Casa Inteligente Olli' },
      { platformProductId: 'SENSOR', quantity: 3, lines: [{ lineId: 13, quantity: 1 }, { lineId: 14, quantity: 2 }], description: 'Sensor de porta' },
    ]);
  });

  it('builds the customer payload (digits, E.164, our reference) and its fingerprint', () => {
    const desired = buildDesiredState(source(), OPTIONS);
    expect(desired.customer).toMatchObject({
      ok: true,
      clienteId: 1,
      input: { externalId: 'ixc:t1:cliente:1', document: '21111496323', documentType: 'CPF', name: 'Ana Lima', phone: '+5517998123456' },
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const changed = buildDesiredState(source({ cliente: { ...source().cliente!, email: 'nova@example.com' } }), OPTIONS);
    expect(changed.customer.ok && changed.customer.fingerprint).not.toBe(desired.customer.ok && desired.customer.fingerprint);
  });

  it('an invalid or missing customer is reported, not thrown', () => {
    expect(buildDesiredState(source({ cliente: { ...source().cliente!, cnpjCpf: '123' } }), OPTIONS).customer).toMatchObject({ ok: false, field: 'document' });
    expect(buildDesiredState(source({ cliente: null }), OPTIONS).customer).toMatchObject({ ok: false, clienteId: 1, reason: 'customer row not found' });
  });

  it('a deleted contract is cancelled with no licences', () => {
    const desired = buildDesiredState(source({ contract: null, cliente: null }), OPTIONS);
    expect(desired.decision).toMatchObject({ target: 'cancelled', rule: 1 });
    expect(desired.licences).toEqual([]);
  });

  it('a held contract carries the reason as a warning', () => {
    const desired = buildDesiredState(source({ contract: { id: 1, idCliente: 1, idVdContrato: 2, status: '', statusInternet: 'A' } }), OPTIONS);
    expect(desired.warnings).toEqual([expect.stringMatching(/held/)]);
  });
});
