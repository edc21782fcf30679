import { cnpjCheckDigits, cnpjProblem, isValidCnpj, normaliseCnpj } from '../../../../src/handlers/domain/customer/cnpj';
import { isValidCpf } from '../../../../src/handlers/domain/customer/cpf';
import { normaliseDocument } from '../../../../src/handlers/domain/customer/customer-input';
import { CustomerValidationError } from '../../../../src/handlers/domain/customer/validation-error';

describe('CPF validation', () => {
  it.each(['52998224725', '529.982.247-25', '111.444.777-35', ' 11144477735 '])('accepts valid %s', (cpf) => {
    expect(isValidCpf(cpf)).toBe(true);
  });
  it.each([
    ['52998224724', 'wrong last check digit'],
    ['529.982.247-15', 'wrong first check digit'],
    ['11111111111', 'repeated digits'],
    ['000.000.000-00', 'repeated digits, formatted'],
    ['5299822472', 'too short'],
    ['529982247250', 'too long'],
    ['52998a24725', 'a letter'],
    ['', 'empty'],
  ])('rejects %s (%s)', (cpf) => {
    expect(isValidCpf(cpf)).toBe(false);
  });
});

describe('CNPJ validation', () => {
  it.each(['11222333000181', '11.222.333/0001-81', '37566679000190', '12ABC34501DE35', '12.ABC.345/01DE-35', '12.abc.345/01de-35'])(
    'accepts valid %s',
    (cnpj) => {
      expect(isValidCnpj(cnpj)).toBe(true);
    },
  );
  it.each([
    ['11222333000182', 'wrong last check digit'],
    ['11.222.333/0001-91', 'wrong first check digit'],
    ['12ABC34501DE36', 'alphanumeric with a wrong check digit'],
    ['12ABC34501DE3A', 'letter in a check-digit position'],
    ['00000000000000', 'repeated digits'],
    ['AAAAAAAAAAAA00', 'letters then digits that do not check'],
    ['1122233300018', 'too short'],
    ['112223330001811', 'too long'],
    ['11.222.333/0001-8!', 'a symbol'],
  ])('rejects %s (%s)', (cnpj) => {
    expect(isValidCnpj(cnpj)).toBe(false);
  });
  it('computes check digits from charCode − 48 for letters', () => {
    // 'A' counts as 17: a base that differs only by a letter gets different digits
    expect(cnpjCheckDigits('12ABC34501DE')).toBe('35');
    expect(cnpjCheckDigits('112223330001')).toBe('81');
  });
  it('normalises to uppercase without punctuation and explains failures', () => {
    expect(normaliseCnpj('12.abc.345/01de-35')).toBe('12ABC34501DE35');
    expect(cnpjProblem('1122233300018')).toMatch(/14 characters/);
    expect(cnpjProblem('00.000.000/0000-00')).toMatch(/repeated/);
  });
});

describe('normaliseDocument', () => {
  it('types the document by length and cross-checks tipo_pessoa', () => {
    expect(normaliseDocument('529.982.247-25', 'F')).toEqual({ document: '52998224725', documentType: 'CPF' });
    expect(normaliseDocument('12.abc.345/01de-35', 'J')).toEqual({ document: '12ABC34501DE35', documentType: 'CNPJ' });
    expect(normaliseDocument('11.222.333/0001-81', '')).toEqual({ document: '11222333000181', documentType: 'CNPJ' });
    expect(() => normaliseDocument('11.222.333/0001-81', 'F')).toThrow(CustomerValidationError);
    expect(() => normaliseDocument('529.982.247-25', 'J')).toThrow(/tipo_pessoa J/);
  });
  it('names the field and the reason', () => {
    try {
      normaliseDocument('529.982.247-24');
      throw new Error('expected a failure');
    } catch (err) {
      expect(err).toBeInstanceOf(CustomerValidationError);
      expect((err as CustomerValidationError).field).toBe('document');
      expect((err as CustomerValidationError).reason).toMatch(/check digits/);
    }
  });
});
