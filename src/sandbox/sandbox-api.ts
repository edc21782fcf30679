import { SandboxProblem, type ProblemFieldError } from './problem';
import { sandboxCnpjProblem, sandboxCpfProblem, sandboxEmailAccepted } from './sandbox-validation';
import { addCustomer, addLicence, addSubscription, customersBy, licencesBy, setCustomerEmail, subscriptionsBy } from './sandbox-index';
import {
  newActivationCode,
  newObjectId,
  nowIso,
  type SandboxAddress,
  type SandboxCustomer,
  type SandboxData,
  type SandboxLicence,
  type SandboxLicenceItem,
  type SandboxSubscription,
} from './sandbox-state';

/** What a resource handler gets: path parameters, query, parsed JSON body and the state. */
export interface ApiRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  data: SandboxData;
}

export interface ApiResult {
  status: number;
  body?: unknown;
}

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 50;

type Json = Record<string, unknown>;

function asObject(body: unknown): Json {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SandboxProblem(400, 'MALFORMED_REQUEST', 'A JSON object body is required');
  }
  return body as Json;
}

function optionalString(obj: Json, field: string, errors: ProblemFieldError[]): string | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    errors.push({ field, message: 'must be a string' });
    return null;
  }
  return value;
}

function paginate<T>(items: T[], query: URLSearchParams): ApiResult {
  const page = Number(query.get('page') ?? '1');
  const limit = Number(query.get('limit') ?? String(DEFAULT_LIMIT));
  if (!Number.isInteger(page) || page < 1) throw new SandboxProblem(400, 'MALFORMED_REQUEST', 'page must be a positive integer');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new SandboxProblem(400, 'MALFORMED_REQUEST', `limit must be between 1 and ${MAX_LIMIT}`);
  }
  const start = (page - 1) * limit;
  return { status: 200, body: { data: items.slice(start, start + limit), meta: { page, limit, total: items.length } } };
}

// ---------------------------------------------------------------- customers

function documentErrors(document: string | null, type: string | null): ProblemFieldError[] {
  if (document === null || document === '') return [{ field: 'document', message: 'is required' }];
  if (type !== 'CPF' && type !== 'CNPJ') return [{ field: 'document_type', message: 'must be CPF or CNPJ' }];
  if (type === 'CPF' && !/^\d{11}$/.test(document)) return [{ field: 'document', message: 'CPF must be 11 digits without punctuation' }];
  if (type === 'CNPJ' && !/^[0-9A-Z]{12}\d{2}$/.test(document)) {
    return [{ field: 'document', message: 'CNPJ must be 14 uppercase characters without punctuation' }];
  }
  const problem = type === 'CPF' ? sandboxCpfProblem(document) : sandboxCnpjProblem(document);
  return problem ? [{ field: 'document', message: problem }] : [];
}

function readAddress(value: unknown, errors: ProblemFieldError[]): SandboxAddress | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.push({ field: 'address', message: 'must be an object' });
    return null;
  }
  const out: SandboxAddress = {};
  for (const key of ['street', 'number', 'complement', 'district', 'city', 'state', 'zip', 'country'] as const) {
    const v = (value as Json)[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') errors.push({ field: `address.${key}`, message: 'must be a string' });
    else out[key] = v;
  }
  return out;
}

function checkContact(obj: Json, errors: ProblemFieldError[]): { email: string | null; phone: string | null } {
  const email = optionalString(obj, 'email', errors);
  if (email !== null && !sandboxEmailAccepted(email)) errors.push({ field: 'email', message: 'is not a valid e-mail address' });
  const phone = optionalString(obj, 'phone', errors);
  if (phone !== null && !/^\+[1-9]\d{7,14}$/.test(phone)) errors.push({ field: 'phone', message: 'must be E.164 (+5517998123456)' });
  return { email, phone };
}

function findCustomers(req: ApiRequest): ApiResult {
  const document = req.query.get('document');
  const email = req.query.get('email');
  let customers =
    document !== null
      ? customersBy(req.data, 'document', document.toUpperCase())
      : email !== null
        ? customersBy(req.data, 'email', email)
        : Object.values(req.data.customers);
  if (email !== null) customers = customers.filter((c) => c.email !== null && c.email.toLowerCase() === email.toLowerCase());
  return paginate(customers, req.query);
}

function getCustomer(req: ApiRequest): ApiResult {
  const customer = req.data.customers[req.params.id ?? ''];
  if (!customer) throw new SandboxProblem(404, 'CUSTOMER_NOT_FOUND', 'No customer with this id');
  return { status: 200, body: customer };
}

function createCustomer(req: ApiRequest): ApiResult {
  const obj = asObject(req.body);
  const errors: ProblemFieldError[] = [];
  const name = optionalString(obj, 'name', errors);
  if (!name || !name.trim()) errors.push({ field: 'name', message: 'is required' });
  const externalId = optionalString(obj, 'external_id', errors);
  const document = optionalString(obj, 'document', errors);
  const documentType = optionalString(obj, 'document_type', errors);
  errors.push(...documentErrors(document, documentType));
  const { email, phone } = checkContact(obj, errors);
  const address = readAddress(obj.address, errors);
  if (errors.length > 0) throw new SandboxProblem(422, 'VALIDATION_ERROR', 'The customer is invalid', { errors });
  const duplicate =
    customersBy(req.data, 'document', document ?? '')[0] ??
    (externalId !== null ? customersBy(req.data, 'external_id', externalId)[0] : undefined) ??
    (email !== null ? customersBy(req.data, 'email', email)[0] : undefined);
  if (duplicate) {
    throw new SandboxProblem(409, 'CUSTOMER_ALREADY_EXISTS', 'A customer with this document, e-mail or external id exists', {
      existingId: duplicate.id,
    });
  }
  const now = nowIso();
  const customer: SandboxCustomer = {
    id: newObjectId(),
    external_id: externalId,
    name: (name ?? '').trim(),
    document: document ?? '',
    document_type: documentType as 'CPF' | 'CNPJ',
    email,
    phone,
    address,
    status: 'active',
    created_at: now,
    updated_at: now,
  };
  addCustomer(req.data, customer);
  return { status: 201, body: customer };
}

function updateCustomer(req: ApiRequest): ApiResult {
  const customer = req.data.customers[req.params.id ?? ''];
  if (!customer) throw new SandboxProblem(404, 'CUSTOMER_NOT_FOUND', 'No customer with this id');
  const obj = asObject(req.body);
  const errors: ProblemFieldError[] = [];
  const name = optionalString(obj, 'name', errors);
  if (obj.name !== undefined && (!name || !name.trim())) errors.push({ field: 'name', message: 'must not be empty' });
  const { email, phone } = checkContact(obj, errors);
  const address = readAddress(obj.address, errors);
  if (errors.length > 0) throw new SandboxProblem(422, 'VALIDATION_ERROR', 'The update is invalid', { errors });
  if (email !== null) {
    const other = customersBy(req.data, 'email', email).find((c) => c.id !== customer.id);
    if (other) throw new SandboxProblem(409, 'EMAIL_IN_USE', 'Another customer has this e-mail', { existingId: other.id });
  }
  if (name) customer.name = name.trim();
  if (obj.email !== undefined) setCustomerEmail(req.data, customer, email);
  if (obj.phone !== undefined) customer.phone = phone;
  if (obj.address !== undefined) customer.address = address;
  customer.updated_at = nowIso();
  return { status: 200, body: customer };
}

// ---------------------------------------------------------------- products

function listProducts(req: ApiRequest): ApiResult {
  let products = Object.values(req.data.products);
  const active = req.query.get('active');
  if (active === 'true') products = products.filter((p) => p.active);
  if (active === 'false') products = products.filter((p) => !p.active);
  return paginate(products, req.query);
}

// ---------------------------------------------------------------- subscriptions

const SUBSCRIPTION_TRANSITIONS: Record<SandboxSubscription['status'], SandboxSubscription['status'][]> = {
  pending: ['active', 'suspended', 'cancelled'],
  active: ['suspended', 'cancelled'],
  suspended: ['active', 'cancelled'],
  cancelled: [],
};
const REASONS = ['past_due', 'manual', 'contract_cancelled', 'customer_request', 'other'];

function createSubscription(req: ApiRequest): ApiResult {
  const customer = req.data.customers[req.params.customerId ?? ''];
  if (!customer) throw new SandboxProblem(404, 'CUSTOMER_NOT_FOUND', 'No customer with this id');
  const obj = asObject(req.body);
  const errors: ProblemFieldError[] = [];
  const externalId = optionalString(obj, 'external_id', errors);
  if (!externalId) errors.push({ field: 'external_id', message: 'is required' });
  const startDate = optionalString(obj, 'start_date', errors);
  if (startDate !== null && Number.isNaN(Date.parse(startDate))) errors.push({ field: 'start_date', message: 'must be a date' });
  const metadata = obj.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) errors.push({ field: 'metadata', message: 'must be an object' });
  if (errors.length > 0) throw new SandboxProblem(422, 'VALIDATION_ERROR', 'The subscription is invalid', { errors });
  const duplicate = subscriptionsBy(req.data, 'external_id', externalId ?? '')[0];
  if (duplicate) throw new SandboxProblem(409, 'SUBSCRIPTION_ALREADY_EXISTS', 'A subscription with this external id exists', { existingId: duplicate.id });
  const now = nowIso();
  const subscription: SandboxSubscription = {
    id: newObjectId(),
    customer_id: customer.id,
    external_id: externalId,
    status: 'active',
    status_reason: null,
    metadata: metadata as Record<string, unknown>,
    start_date: startDate,
    created_at: now,
    updated_at: now,
    suspended_at: null,
    cancelled_at: null,
  };
  addSubscription(req.data, subscription);
  return { status: 201, body: subscription };
}

function findSubscriptions(req: ApiRequest): ApiResult {
  const externalId = req.query.get('external_id');
  const customerId = req.query.get('customer_id');
  let subscriptions =
    externalId !== null
      ? subscriptionsBy(req.data, 'external_id', externalId)
      : customerId !== null
        ? subscriptionsBy(req.data, 'customer_id', customerId)
        : Object.values(req.data.subscriptions);
  if (customerId !== null) subscriptions = subscriptions.filter((s) => s.customer_id === customerId);
  return paginate(subscriptions, req.query);
}

function requireSubscription(req: ApiRequest): SandboxSubscription {
  const subscription = req.data.subscriptions[req.params.id ?? ''];
  if (!subscription) throw new SandboxProblem(404, 'SUBSCRIPTION_NOT_FOUND', 'No subscription with this id');
  return subscription;
}

function getSubscription(req: ApiRequest): ApiResult {
  return { status: 200, body: requireSubscription(req) };
}

/** Sets an absolute status; the same status is a no-op 200. */
export function applySubscriptionStatus(subscription: SandboxSubscription, status: string, reason: string | null): ApiResult {
  if (!['active', 'suspended', 'cancelled'].includes(status)) {
    throw new SandboxProblem(422, 'VALIDATION_ERROR', 'Invalid status', { errors: [{ field: 'status', message: 'must be active, suspended or cancelled' }] });
  }
  if (reason !== null && !REASONS.includes(reason)) {
    throw new SandboxProblem(422, 'VALIDATION_ERROR', 'Invalid reason', { errors: [{ field: 'reason', message: `must be one of ${REASONS.join(', ')}` }] });
  }
  const target = status as SandboxSubscription['status'];
  if (subscription.status === target) return { status: 200, body: subscription };
  if (!SUBSCRIPTION_TRANSITIONS[subscription.status].includes(target)) {
    throw new SandboxProblem(409, 'INVALID_STATUS_TRANSITION', `Cannot go from ${subscription.status} to ${target}`);
  }
  const now = nowIso();
  subscription.status = target;
  subscription.status_reason = target === 'active' ? null : reason;
  subscription.updated_at = now;
  if (target === 'suspended') subscription.suspended_at = now;
  if (target === 'cancelled') subscription.cancelled_at = now;
  return { status: 200, body: subscription };
}

function patchSubscription(req: ApiRequest): ApiResult {
  const subscription = requireSubscription(req);
  const obj = asObject(req.body);
  const errors: ProblemFieldError[] = [];
  const status = optionalString(obj, 'status', errors);
  const reason = optionalString(obj, 'reason', errors);
  if (status === null) errors.push({ field: 'status', message: 'is required' });
  if (errors.length > 0) throw new SandboxProblem(422, 'VALIDATION_ERROR', 'The status change is invalid', { errors });
  return applySubscriptionStatus(subscription, status ?? '', reason);
}

function subscriptionVerb(target: 'suspended' | 'active' | 'cancelled') {
  return (req: ApiRequest): ApiResult => {
    const subscription = requireSubscription(req);
    const body = req.body === undefined || req.body === null ? {} : asObject(req.body);
    const reason = typeof body.reason === 'string' ? body.reason : target === 'active' ? null : 'other';
    return applySubscriptionStatus(subscription, target, reason);
  };
}

// ---------------------------------------------------------------- licences

const LICENCE_TRANSITIONS: Record<SandboxLicence['status'], SandboxLicence['status'][]> = {
  pending: ['active', 'blocked', 'revoked'],
  active: ['blocked', 'revoked'],
  inactive: ['active', 'blocked', 'revoked'],
  blocked: ['active', 'revoked'],
  revoked: [],
};

function readItems(value: unknown, data: SandboxData): SandboxLicenceItem[] {
  const errors: ProblemFieldError[] = [];
  if (!Array.isArray(value) || value.length === 0) {
    throw new SandboxProblem(422, 'VALIDATION_ERROR', 'items are required', { errors: [{ field: 'items', message: 'must be a non-empty array' }] });
  }
  const items: SandboxLicenceItem[] = [];
  value.forEach((raw: unknown, i) => {
    const item = (raw ?? {}) as Json;
    const productId = item.product_id;
    const quantity = item.quantity;
    if (typeof productId !== 'string' || !data.products[productId]) errors.push({ field: `items[${i}].product_id`, message: 'unknown product' });
    else if (!data.products[productId]?.active) errors.push({ field: `items[${i}].product_id`, message: 'product is inactive' });
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
      errors.push({ field: `items[${i}].quantity`, message: 'must be a positive integer' });
    }
    if (typeof productId === 'string' && typeof quantity === 'number') items.push({ product_id: productId, quantity });
  });
  if (errors.length > 0) throw new SandboxProblem(422, 'VALIDATION_ERROR', 'The licence items are invalid', { errors });
  for (const item of items) {
    const product = data.products[item.product_id];
    if (product && item.quantity > product.max_devices) {
      throw new SandboxProblem(409, 'LICENSE_LIMIT_REACHED', `Quantity ${item.quantity} is above the product's max_devices ${product.max_devices}`);
    }
  }
  return items;
}

function createLicence(req: ApiRequest): ApiResult {
  const subscription = requireSubscription(req);
  const obj = asObject(req.body);
  const errors: ProblemFieldError[] = [];
  const externalId = optionalString(obj, 'external_id', errors);
  if (!externalId) errors.push({ field: 'external_id', message: 'is required' });
  const description = optionalString(obj, 'description', errors);
  if (errors.length > 0) throw new SandboxProblem(422, 'VALIDATION_ERROR', 'The licence is invalid', { errors });
  const items = readItems(obj.items, req.data);
  const duplicate = licencesBy(req.data, 'external_id', externalId ?? '')[0];
  if (duplicate) throw new SandboxProblem(409, 'LICENSE_ALREADY_EXISTS', 'A licence with this external id exists', { existingId: duplicate.id });
  if (subscription.status === 'cancelled') {
    throw new SandboxProblem(409, 'INVALID_STATUS_TRANSITION', 'The subscription is cancelled');
  }
  const now = nowIso();
  const licence: SandboxLicence = {
    id: newObjectId(),
    code: newActivationCode(),
    subscription_id: subscription.id,
    customer_id: subscription.customer_id,
    external_id: externalId,
    description,
    status: subscription.status === 'suspended' ? 'blocked' : 'pending',
    items,
    device: null,
    activated_at: null,
    created_at: now,
    updated_at: now,
  };
  addLicence(req.data, licence);
  return { status: 201, body: licence };
}

function listLicences(req: ApiRequest): ApiResult {
  const subscription = requireSubscription(req);
  let licences = licencesBy(req.data, 'subscription_id', subscription.id);
  const externalId = req.query.get('external_id');
  if (externalId !== null) licences = licences.filter((l) => l.external_id === externalId);
  return paginate(licences, req.query);
}

function requireLicence(req: ApiRequest): SandboxLicence {
  const licence = req.data.licences[req.params.id ?? ''];
  if (!licence) throw new SandboxProblem(404, 'LICENSE_NOT_FOUND', 'No licence with this id');
  return licence;
}

function getLicence(req: ApiRequest): ApiResult {
  return { status: 200, body: requireLicence(req) };
}

function patchLicence(req: ApiRequest): ApiResult {
  const licence = requireLicence(req);
  const obj = asObject(req.body);
  if (obj.items === undefined && obj.status === undefined) {
    throw new SandboxProblem(422, 'VALIDATION_ERROR', 'Nothing to change', { errors: [{ field: 'items', message: 'items or status is required' }] });
  }
  if (licence.status === 'revoked') throw new SandboxProblem(409, 'INVALID_STATUS_TRANSITION', 'The licence is revoked');
  let status: SandboxLicence['status'] | undefined;
  if (obj.status !== undefined) {
    if (obj.status !== 'active' && obj.status !== 'blocked') {
      throw new SandboxProblem(422, 'VALIDATION_ERROR', 'Invalid status', { errors: [{ field: 'status', message: 'must be active or blocked' }] });
    }
    status = obj.status;
    if (status !== licence.status && !LICENCE_TRANSITIONS[licence.status].includes(status)) {
      throw new SandboxProblem(409, 'INVALID_STATUS_TRANSITION', `Cannot go from ${licence.status} to ${status}`);
    }
  }
  const items = obj.items !== undefined ? readItems(obj.items, req.data) : undefined;
  if (items) licence.items = items;
  // iot-platform-api.md §2.8: "active" asks for "not blocked"; only a device activates a licence, so
  // an unblocked licence that never was activated is pending again, and a pending one stays pending.
  if (status === 'active') status = licence.activated_at === null ? 'pending' : 'active';
  if (status && status !== licence.status) licence.status = status;
  licence.updated_at = nowIso();
  return { status: 200, body: licence };
}

/** A device activates the licence (what the admin call stands for): pending → active, with `activated_at`. */
export function activateLicenceInState(licence: SandboxLicence, device: string | null): void {
  if (licence.status !== 'pending') {
    throw new SandboxProblem(409, 'INVALID_STATUS_TRANSITION', `Only a pending licence can be activated (this one is ${licence.status})`);
  }
  const now = nowIso();
  licence.status = 'active';
  licence.activated_at = now;
  if (device !== null) licence.device = device;
  licence.updated_at = now;
}

/** Revokes (terminal). Used by DELETE and by the admin "revoke behind the worker's back". */
export function revokeLicenceInState(licence: SandboxLicence): void {
  if (licence.status === 'revoked') return;
  licence.status = 'revoked';
  licence.updated_at = nowIso();
}

function deleteLicence(req: ApiRequest): ApiResult {
  revokeLicenceInState(requireLicence(req));
  return { status: 204 };
}

/** A route of the public API: method, path pattern and the template it is counted and faulted under. */
export interface ApiRoute {
  method: string;
  pattern: RegExp;
  template: string;
  paramNames: string[];
  handler: (req: ApiRequest) => ApiResult;
  /** POST/PATCH/DELETE: counted as a write and checked for overlap. */
  write: boolean;
}

function route(method: string, template: string, handler: (req: ApiRequest) => ApiResult): ApiRoute {
  const paramNames: string[] = [];
  const source = template.replace(/\{([a-zA-Z]+)\}/g, (_m, name: string) => {
    paramNames.push(name);
    return '([^/]+)';
  });
  return { method, pattern: new RegExp(`^${source}/?$`), template: `${method} ${template}`, paramNames, handler, write: method !== 'GET' };
}

export const API_ROUTES: readonly ApiRoute[] = [
  route('GET', '/customers', findCustomers),
  route('POST', '/customers', createCustomer),
  route('GET', '/customers/{id}', getCustomer),
  route('PATCH', '/customers/{id}', updateCustomer),
  route('GET', '/products', listProducts),
  route('GET', '/plans', listProducts),
  route('POST', '/customers/{customerId}/subscriptions', createSubscription),
  route('GET', '/subscriptions', findSubscriptions),
  route('GET', '/subscriptions/{id}', getSubscription),
  route('PATCH', '/subscriptions/{id}', patchSubscription),
  route('POST', '/subscriptions/{id}/suspend', subscriptionVerb('suspended')),
  route('POST', '/subscriptions/{id}/reactivate', subscriptionVerb('active')),
  route('POST', '/subscriptions/{id}/cancel', subscriptionVerb('cancelled')),
  route('POST', '/subscriptions/{id}/licenses', createLicence),
  route('GET', '/subscriptions/{id}/licenses', listLicences),
  route('GET', '/licenses/{id}', getLicence),
  route('PATCH', '/licenses/{id}', patchLicence),
  route('DELETE', '/licenses/{id}', deleteLicence),
];
