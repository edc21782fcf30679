import { loadConfig } from '../../../src/config/load-config';
import { classifyKey, maskText, redactValue, registerSecretValue } from '../../../src/lib/mask';

const SECRET = 'S3cr3t-Value-0001';

describe('masking by key: every key, every spelling, every shape', () => {
  const SECRET_KEYS = [
    'client_secret', 'clientSecret', 'CLIENT-SECRET', 'access_token', 'accessToken', 'refresh_token', 'id_token', 'idToken',
    'token', 'password', 'Password', 'DEBEZIUM_DB_PASSWORD', 'debeziumPassword', 'senha', 'secret', 'authorization',
    'Authorization', 'proxy-authorization', 'api_secret', 'api_key', 'apiKey', 'x-api-key', 'X-Api-Key', 'opsToken',
  ];

  it.each(SECRET_KEYS)('%s: strings, numbers, booleans, arrays and objects are removed whole', (key) => {
    expect(classifyKey(key)).toBe('secret');
    for (const value of [SECRET, 123456789, true, [SECRET, 'other'], { nested: SECRET }]) {
      expect(redactValue({ [key]: value })).toEqual({ [key]: '[REDACTED]' });
    }
  });

  const DOCUMENT_KEYS = ['document', 'documento', 'cpf', 'CPF', 'cnpj', 'cnpj_cpf', 'cnpjCpf', 'cpf_cnpj', 'tax-id'];
  it.each(DOCUMENT_KEYS)('%s: formatted, bare and numeric documents keep only their ends', (key) => {
    expect(redactValue({ [key]: '211.114.963-23' })).toEqual({ [key]: '211.***.***-23' });
    expect(redactValue({ [key]: '21111496323' })).toEqual({ [key]: '211.***.***-23' });
    expect(redactValue({ [key]: 21111496323 })).toEqual({ [key]: '211.***.***-23' });
    expect(redactValue({ [key]: '41.374.306/0001-95' })).toEqual({ [key]: '41.***.***/****-95' });
  });

  const NAME_KEYS = ['name', 'nome', 'razao', 'razao_social', 'fantasia', 'nomeFantasia', 'full_name', 'fullName', 'contato'];
  it.each(NAME_KEYS)('%s: names keep initials', (key) => {
    expect(redactValue({ [key]: 'Maria Aparecida Souza' })).toEqual({ [key]: 'M*** A*** S***' });
  });

  const EMAIL_KEYS = ['email', 'e_mail', 'E-Mail', 'contactEmail', 'email_cobranca'];
  it.each(EMAIL_KEYS)('%s: e-mails keep the first letter and the domain', (key) => {
    expect(redactValue({ [key]: 'maria.souza@example.com' })).toEqual({ [key]: 'm***@example.com' });
  });

  const PHONE_KEYS = ['phone', 'telefone', 'telefone_celular', 'telefoneComercial', 'celular', 'whatsapp', 'fone', 'mobile'];
  it.each(PHONE_KEYS)('%s: formatted, international and numeric phones keep the last 4 digits', (key) => {
    expect(redactValue({ [key]: '(17) 99812-3456' })).toEqual({ [key]: '***3456' });
    expect(redactValue({ [key]: '+5517998123456' })).toEqual({ [key]: '***3456' });
    expect(redactValue({ [key]: 17998123456 })).toEqual({ [key]: '***3456' });
  });

  const ADDRESS_KEYS = ['address', 'street', 'endereco', 'number', 'numero', 'complement', 'complemento', 'bairro', 'zip', 'zipCode', 'cep'];
  it.each(ADDRESS_KEYS)('%s: addresses are removed, numbers too', (key) => {
    expect(redactValue({ [key]: 'Rua das Flores' })).toEqual({ [key]: '***' });
    expect(redactValue({ [key]: 15085 })).toEqual({ [key]: '***' });
  });

  it('an object under a personal key is masked in full; plain keys keep their values', () => {
    expect(redactValue({ address: { city: 'Rio Preto', street: 'Rua A', cep: '15085000' } })).toEqual({
      address: { city: '***', street: '***', cep: '***' },
    });
    expect(redactValue({ contract_id: 42, quantity: 2, product_id: 'p1', status: 'A', dirty: false })).toEqual({
      contract_id: 42, quantity: 2, product_id: 'p1', status: 'A', dirty: false,
    });
  });

  it('plain keys still have their free text masked by shape', () => {
    expect(redactValue({ note: 'call 211.114.963-23 at maria@example.com' })).toEqual({ note: 'call 211.***.***-23 at m***@example.com' });
  });

  it('the printed configuration holds no secret (camelCase keys)', () => {
    const config = loadConfig({
      IXC_DB_PASSWORD: 'db-pass-Qw12', IOT_CLIENT_SECRET: 'iot-secret-Er34', OPS_TOKEN: 'ops-token-Ty56',
      DEBEZIUM_DB_PASSWORD: 'dbz-pass-Ui78', SANDBOX_CLIENT_SECRET: 'sbx-secret-Op90',
    });
    const printed = JSON.stringify(redactValue(config));
    for (const secret of ['db-pass-Qw12', 'iot-secret-Er34', 'ops-token-Ty56', 'dbz-pass-Ui78', 'sbx-secret-Op90']) {
      expect(printed).not.toContain(secret);
    }
  });
});

describe('masking free text', () => {
  it.each([
    ['token=', 'GET /x?token=abcDEF123456&page=2', 'abcDEF123456'],
    ['id_token', '{"id_token":"eyJhbGciOi.payload.sig"}', 'eyJhbGciOi.payload.sig'],
    ['api_key', 'api_key=k-998877665544', 'k-998877665544'],
    ['api-key header', 'x-api-key: k-112233445566', 'k-112233445566'],
    ['client_secret form', 'grant_type=client_credentials&client_secret=s%2B3cr3t', 's%2B3cr3t'],
    ['escaped JSON', '{\\"client_secret\\":\\"escaped-secret-1\\"}', 'escaped-secret-1'],
    ['Authorization Basic', 'authorization: Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz'],
    ['Bearer', 'sent Bearer abc.def.ghi', 'abc.def.ghi'],
    ['password', "password='p4ssw0rd!'", 'p4ssw0rd!'],
    ['CPF', 'customer 211.114.963-23', '211.114.963-23'],
    ['bare CPF', 'customer 21111496323', '21111496323'],
    ['CNPJ', 'company 41.374.306/0001-95', '41.374.306/0001-95'],
    ['alphanumeric CNPJ', 'company 12ABC34501DE35', '12ABC34501DE35'],
    ['e-mail', 'mail maria.souza@example.com', 'maria.souza'],
    ['formatted phone', 'call (17) 99812-3456', '99812-3456'],
    ['international phone', 'call +55 17 99812-3456', '99812-3456'],
  ])('%s', (_shape, text, leaked) => {
    const masked = maskText(text);
    expect(masked).not.toContain(leaked);
    expect(maskText(masked)).toBe(masked);
  });

  it('removes known secret values (raw, URL-encoded and base64) under any key or none', () => {
    registerSecretValue('kn0wn/secret+value');
    const raw = 'kn0wn/secret+value';
    for (const text of [`oops ${raw}`, `x=${encodeURIComponent(raw)}`, `b ${Buffer.from(raw).toString('base64')}`]) {
      expect(maskText(text)).toContain('[REDACTED]');
      expect(maskText(text)).not.toContain(raw);
    }
    expect(redactValue({ harmless: `value ${raw}` })).toEqual({ harmless: 'value [REDACTED]' });
  });

  it('leaves ordinary diagnostics readable', () => {
    expect(maskText('POST /customers → 422 invalid_document')).toBe('POST /customers → 422 invalid_document');
    expect(maskText('contract 1234 claimed by worker-2, attempt 3')).toBe('contract 1234 claimed by worker-2, attempt 3');
  });
});
