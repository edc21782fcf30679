import { buildCustomerInput, validateCustomerInput, validateCustomerPatch } from '../../../../src/handlers/domain/customer/customer-input';
import { toE164 } from '../../../../src/handlers/domain/customer/phone';
import { CustomerValidationError } from '../../../../src/handlers/domain/customer/validation-error';

describe('toE164', () => {
  it.each([
    ['(17) 99812-3456', '+5517998123456'],
    ['17998123456', '+5517998123456'],
    ['+55 (17) 99812-3456', '+5517998123456'],
    ['0055 17 99812 3456', '+5517998123456'],
    ['017 99812-3456', '+5517998123456'],
    ['0 15 17 99812-3456', '+5517998123456'],
    ['(17) 3222-4410', '+551732224410'],
    ['+1 415 555 2671', '+14155552671'],
  ])('%s → %s', (input, expected) => {
    expect(toE164(input)).toBe(expected);
  });
  it.each(['', '12345', '(17) 1234-5678', '(01) 99812-3456', 'ramal 12', '+55 17 9981'])('rejects %s', (input) => {
    expect(toE164(input)).toBeNull();
  });
});

const cliente = {
  id: 42,
  razao: '  Maria   Aparecida Souza ',
  fantasia: null,
  cnpjCpf: '529.982.247-25',
  tipoPessoa: 'F',
  email: 'Maria.Souza@Example.COM; outro@example.com',
  telefoneCelular: '(17) 99812-3456',
  whatsapp: null,
  fone: null,
  endereco: 'Rua Bernardino de Campos',
  numero: '775',
  bairro: 'Boa Vista',
  complemento: '',
  cep: '15025-310',
};

describe('buildCustomerInput', () => {
  it('normalises an IXC cliente row', () => {
    expect(buildCustomerInput(cliente, 't1')).toEqual({
      externalId: 'ixc:t1:cliente:42',
      name: 'Maria Aparecida Souza',
      document: '52998224725',
      documentType: 'CPF',
      email: 'Maria.Souza@example.com',
      phone: '+5517998123456',
      address: { street: 'Rua Bernardino de Campos', number: '775', district: 'Boa Vista', zip: '15025310', country: 'BR' },
    });
  });
  it('uppercases alphanumeric CNPJs of companies', () => {
    const input = buildCustomerInput({ ...cliente, cnpjCpf: '12.abc.345/01de-35', tipoPessoa: 'J' }, 't1');
    expect(input.document).toBe('12ABC34501DE35');
    expect(input.documentType).toBe('CNPJ');
  });
  it.each([
    [{ cnpjCpf: '529.982.247-24' }, 'document'],
    [{ cnpjCpf: '11.222.333/0001-81', tipoPessoa: 'F' }, 'document'],
    [{ cnpjCpf: '' }, 'document'],
    [{ razao: '  ' }, 'name'],
    [{ email: 'maria@' }, 'email'],
    [{ telefoneCelular: '123' }, 'phone'],
  ])('rejects %p naming the field %s', (patch, field) => {
    try {
      buildCustomerInput({ ...cliente, ...patch }, 't1');
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toBeInstanceOf(CustomerValidationError);
      expect((err as CustomerValidationError).field).toBe(field);
    }
  });
  it('validateCustomerInput catches a declared type that does not match', () => {
    expect(() =>
      validateCustomerInput({ externalId: 'x', name: 'A', document: '11222333000181', documentType: 'CPF' }),
    ).toThrow(/declared CPF/);
  });
});

describe('validateCustomerPatch', () => {
  it('puts e-mail and phone in canonical form and leaves absent fields absent', () => {
    expect(validateCustomerPatch({ email: ' Maria.Souza@Example.COM ', phone: '(17) 99812-3456' })).toEqual({
      email: 'Maria.Souza@example.com',
      phone: '+5517998123456',
    });
    expect(validateCustomerPatch({ name: 'Maria' })).toEqual({ name: 'Maria' });
  });
  it.each([
    [{ name: '   ' }, 'name'],
    [{ email: 'not-an-address' }, 'email'],
    [{ phone: '12345' }, 'phone'],
  ])('rejects %j on %s', (patch, field) => {
    expect(() => validateCustomerPatch(patch)).toThrow(CustomerValidationError);
    try {
      validateCustomerPatch(patch);
    } catch (err) {
      expect((err as CustomerValidationError).field).toBe(field);
    }
  });
  it('does not change the caller\'s object', () => {
    const patch = { phone: '(17) 99812-3456' };
    validateCustomerPatch(patch);
    expect(patch.phone).toBe('(17) 99812-3456');
  });
});
