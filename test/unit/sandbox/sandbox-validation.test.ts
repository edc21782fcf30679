import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cnpjProblem } from '../../../src/handlers/domain/customer/cnpj';
import { cpfProblem } from '../../../src/handlers/domain/customer/cpf';
import { isValidEmail } from '../../../src/handlers/domain/customer/email';
import { parseContractExternalId } from '../../../src/handlers/domain/external-refs';
import { contractKeyOfExternalId, sandboxCnpjProblem, sandboxCpfProblem, sandboxEmailAccepted } from '../../../src/sandbox/sandbox-validation';

// The sandbox and the client implement the same platform rules apart; each row states the right
// verdict, and both implementations must give it.
describe("the sandbox's own validators agree with the client's on a table of cases", () => {
  it.each([
    ['52998224725', true],
    ['11144477735', true],
    ['21111496323', true],
    // Check digits of 0 (a remainder under 2).
    ['10000000108', true],
    ['10000000280', true],
    ['10000000118', false],
    ['52998224726', false],
    ['11144477734', false],
    ['52998224715', false],
    ['11111111111', false],
    ['00000000000', false],
    ['1234567890', false],
  ])('CPF %s valid: %s', (document, valid) => {
    expect({ sandbox: sandboxCpfProblem(document) === null, client: cpfProblem(document) === null }).toEqual({ sandbox: valid, client: valid });
  });

  it.each([
    ['11222333000181', true],
    ['11444777000161', true],
    // The Receita's example of an alphanumeric CNPJ (12.ABC.345/01DE-35).
    ['12ABC34501DE35', true],
    ['11222333000505', true],
    ['11222333001900', true],
    ['11222333000515', false],
    ['11222333000182', false],
    ['11222333000191', false],
    ['12ABC34501DE36', false],
    ['12ABD34501DE35', false],
    ['00000000000000', false],
    ['1122233300018', false],
  ])('CNPJ %s valid: %s', (document, valid) => {
    expect({ sandbox: sandboxCnpjProblem(document) === null, client: cnpjProblem(document) === null }).toEqual({ sandbox: valid, client: valid });
  });

  it.each([
    ['maria.souza@example.com', true],
    ['a+b@sub.example.com.br', true],
    ['x@example.co', true],
    ['maria@', false],
    ['@example.com', false],
    ['maria@example', false],
    ['maria@@example.com', false],
    ['maria..souza@example.com', false],
    ['maria souza@example.com', false],
    ['maria@-example.com', false],
    ['maria@example.c', false],
    ['maria@exa_mple.com', false],
    ['maria@example.com1', false],
  ])('e-mail %s accepted: %s', (email, valid) => {
    expect({ sandbox: sandboxEmailAccepted(email), client: isValidEmail(email) }).toEqual({ sandbox: valid, client: valid });
  });

  it.each([
    ['ixc:t1:contrato:42', 't1:42'],
    ['ixc:t1:contrato:42:3', 't1:42'],
    ['ixc:t1:contrato:42:produto:OLLI-CAMERA', 't1:42'],
    ['ixc:t1:contrato:42:produto:OLLI-CAMERA:2', 't1:42'],
    ['ixc:t1:cliente:42', null],
    ['ixc:t1:contrato:0', null],
    ['ixc:t1:contrato:x', null],
    ['ixc:t1:contrato:42:0', null],
    ['ixc:t1:contrato:42:produto:', null],
    ['ixc:t.1:contrato:42', null],
    ['other:t1:contrato:42', null],
    ['ixc:t1:contrato:42:produto:A:2:3', null],
  ])('external id %s → %s', (externalId, key) => {
    const parsed = parseContractExternalId(externalId);
    expect({ sandbox: contractKeyOfExternalId(externalId), client: parsed ? `${parsed.tenant}:${parsed.contractId}` : null }).toEqual({ sandbox: key, client: key });
  });

  it('the sandbox imports nothing from the client', () => {
    const dir = path.resolve(__dirname, '../../../src/sandbox');
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from '\.\.\/iot-client/.test(readFileSync(path.join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
