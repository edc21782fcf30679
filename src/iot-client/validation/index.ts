export { cpfProblem, isValidCpf, normaliseCpf } from './cpf';
export { cnpjCheckDigits, cnpjProblem, isValidCnpj, normaliseCnpj } from './cnpj';
export { isValidEmail, normaliseEmail } from './email';
export { toE164 } from './phone';
export { buildCustomerInput, normaliseDocument, validateCustomerInput, type ClienteLike } from './customer-input';
