import type { Address, CustomerInput, CustomerPatch } from '../../ports/iot-platform';
import { customerExternalId } from '../external-refs';
import { cnpjProblem, normaliseCnpj } from './cnpj';
import { cpfProblem, normaliseCpf } from './cpf';
import { normaliseEmail } from './email';
import { toE164 } from './phone';
import { CustomerValidationError } from './validation-error';

const MAX_NAME_LENGTH = 200;

/** The columns of IXC's `cliente` the normaliser reads (a `Cliente` entity satisfies it). */
export interface ClienteLike {
  id: number;
  razao: string | null;
  fantasia?: string | null;
  cnpjCpf: string | null;
  tipoPessoa: string | null;
  email: string | null;
  telefoneCelular?: string | null;
  whatsapp?: string | null;
  fone?: string | null;
  endereco?: string | null;
  numero?: string | null;
  bairro?: string | null;
  complemento?: string | null;
  cep?: string | null;
}

/** Document digits (CPF) or uppercase characters (CNPJ) and their type, or a CustomerValidationError. */
export function normaliseDocument(raw: string, tipoPessoa: string | null = null): { document: string; documentType: 'CPF' | 'CNPJ' } {
  const compact = raw.trim().toUpperCase().replace(/[./\-\s]/g, '');
  if (compact === '') throw new CustomerValidationError('document', 'missing CPF/CNPJ');
  const tipo = (tipoPessoa ?? '').trim().toUpperCase();
  let documentType: 'CPF' | 'CNPJ';
  if (compact.length === 11 && /^\d+$/.test(compact)) documentType = 'CPF';
  else if (compact.length === 14) documentType = 'CNPJ';
  else throw new CustomerValidationError('document', `expected 11 (CPF) or 14 (CNPJ) characters, got ${compact.length}`);
  if (tipo === 'F' && documentType !== 'CPF') throw new CustomerValidationError('document', 'tipo_pessoa F (person) but the document is not a CPF');
  if (tipo === 'J' && documentType !== 'CNPJ') throw new CustomerValidationError('document', 'tipo_pessoa J (company) but the document is not a CNPJ');
  if (documentType === 'CPF') {
    const problem = cpfProblem(raw);
    if (problem) throw new CustomerValidationError('document', problem);
    return { document: normaliseCpf(raw) ?? compact, documentType };
  }
  const problem = cnpjProblem(raw);
  if (problem) throw new CustomerValidationError('document', problem);
  return { document: normaliseCnpj(raw) ?? compact, documentType };
}

/**
 * Checks a CustomerInput before any create or update; throws CustomerValidationError naming the
 * field and reason. Returns the input with document, e-mail and phone in canonical form.
 */
export function validateCustomerInput(input: CustomerInput): CustomerInput {
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (name === '') throw new CustomerValidationError('name', 'missing name');
  if (name.length > MAX_NAME_LENGTH) throw new CustomerValidationError('name', `longer than ${MAX_NAME_LENGTH} characters`);
  if (!input.externalId.trim()) throw new CustomerValidationError('externalId', 'missing external reference');
  const doc = normaliseDocument(input.document);
  if (doc.documentType !== input.documentType) {
    throw new CustomerValidationError('documentType', `declared ${input.documentType} but the document is a ${doc.documentType}`);
  }
  return withCanonicalContact({ ...input, name, document: doc.document, documentType: doc.documentType });
}

/** Checks a customer update like a create (the name, if given, not blank); e-mail and phone in canonical form. */
export function validateCustomerPatch(patch: CustomerPatch): CustomerPatch {
  if (patch.name !== undefined && !patch.name.trim()) throw new CustomerValidationError('name', 'missing name');
  return withCanonicalContact({ ...patch });
}

/** Puts the e-mail and phone, where present, in canonical form (E.164 for the phone) in place; callers pass a copy. */
function withCanonicalContact<T extends { email?: string; phone?: string }>(fields: T): T {
  if (fields.email !== undefined) {
    const email = normaliseEmail(fields.email);
    if (email === null) throw new CustomerValidationError('email', 'not a valid e-mail address');
    fields.email = email;
  }
  if (fields.phone !== undefined) {
    const phone = toE164(fields.phone);
    if (phone === null) throw new CustomerValidationError('phone', 'not a valid phone number (E.164 expected)');
    fields.phone = phone;
  }
  return fields;
}

function present(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Builds the platform customer from IXC's `cliente` row: formatting stripped, CNPJ uppercased,
 * `tipo_pessoa` cross-checked (F person → CPF, J company → CNPJ; other codes inferred from the
 * length), e-mail checked, the first usable phone (mobile, WhatsApp, landline) in E.164.
 * Throws CustomerValidationError; nothing is sent for an invalid customer.
 */
export function buildCustomerInput(cliente: ClienteLike, tenant: string): CustomerInput {
  const name = present(cliente.razao) ?? present(cliente.fantasia);
  if (name === undefined) throw new CustomerValidationError('name', 'missing name (razao)');
  const tipo = (cliente.tipoPessoa ?? '').trim().toUpperCase();
  if (tipo === 'E' && !present(cliente.cnpjCpf)) throw new CustomerValidationError('document', 'foreign customer (tipo_pessoa E) without CPF/CNPJ');
  const doc = normaliseDocument(cliente.cnpjCpf ?? '', tipo);
  const input: CustomerInput = {
    externalId: customerExternalId(tenant, cliente.id),
    name,
    document: doc.document,
    documentType: doc.documentType,
  };
  // IXC fills e-mail fields with several addresses separated by ';' or ',': the first is the contact.
  const email = present(cliente.email?.split(/[;,]/)[0]);
  if (email !== undefined) input.email = email;
  const phones = [cliente.telefoneCelular, cliente.whatsapp, cliente.fone].map(present).filter((p): p is string => p !== undefined);
  if (phones.length > 0) {
    const e164 = phones.map((p) => toE164(p)).find((p): p is string => p !== null);
    if (e164 === undefined) throw new CustomerValidationError('phone', 'no phone number could be read as E.164');
    input.phone = e164;
  }
  const address: Address = {};
  const street = present(cliente.endereco);
  if (street !== undefined) address.street = street;
  const number = present(cliente.numero);
  if (number !== undefined) address.number = number;
  const complement = present(cliente.complemento);
  if (complement !== undefined) address.complement = complement;
  const district = present(cliente.bairro);
  if (district !== undefined) address.district = district;
  const zip = present(cliente.cep)?.replace(/\D/g, '');
  if (zip) address.zip = zip;
  if (Object.keys(address).length > 0) input.address = { ...address, country: 'BR' };
  return validateCustomerInput(input);
}
