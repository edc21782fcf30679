/**
 * The ONE place that knows the platform's wire format: paths, query parameters, field names,
 * status strings and error codes (iot-platform-api.md §2, an assumption to confirm against
 * Olli's Postman collection). Aligning the client with the real API means editing this file.
 */
import type {
  CustomerInput,
  CustomerPatch,
  LicenceInput,
  LicenceItem,
  LicenceStatus,
  PlatformCustomer,
  PlatformLicence,
  PlatformProduct,
  PlatformSubscription,
  StatusReason,
  SubscriptionInput,
  SubscriptionStatus,
} from '../handlers/ports/iot-platform';
import type { PlatformRejectionReason } from '../handlers/ports/platform-errors';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** One endpoint: its method and path template. `name` is the breaker key and the audit's `endpoint`. */
export interface EndpointDef {
  method: HttpMethod;
  template: string;
}

export const ENDPOINTS = {
  findCustomers: { method: 'GET', template: '/customers' },
  getCustomer: { method: 'GET', template: '/customers/{id}' },
  createCustomer: { method: 'POST', template: '/customers' },
  updateCustomer: { method: 'PATCH', template: '/customers/{id}' },
  listProducts: { method: 'GET', template: '/products' },
  /** Alias tried when `/products` answers 404 (the catalogue may be called `plans`). */
  listPlans: { method: 'GET', template: '/plans' },
  createSubscription: { method: 'POST', template: '/customers/{customer_id}/subscriptions' },
  findSubscriptions: { method: 'GET', template: '/subscriptions' },
  getSubscription: { method: 'GET', template: '/subscriptions/{id}' },
  updateSubscription: { method: 'PATCH', template: '/subscriptions/{id}' },
  createLicence: { method: 'POST', template: '/subscriptions/{id}/licenses' },
  listLicences: { method: 'GET', template: '/subscriptions/{id}/licenses' },
  getLicence: { method: 'GET', template: '/licenses/{id}' },
  updateLicence: { method: 'PATCH', template: '/licenses/{id}' },
  revokeLicence: { method: 'DELETE', template: '/licenses/{id}' },
} as const satisfies Record<string, EndpointDef>;

/** `GET /customers/{id}` */
export function endpointKey(def: EndpointDef): string {
  return `${def.method} ${def.template}`;
}

/** Fills `{param}` placeholders, each value URI-encoded (ids are opaque strings). */
export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{([a-z_]+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new Error(`Missing path parameter ${name} for ${template}`);
    return encodeURIComponent(value);
  });
}

export const QUERY = {
  document: 'document',
  email: 'email',
  externalId: 'external_id',
  page: 'page',
  limit: 'limit',
  active: 'active',
  cursor: 'cursor',
} as const;

/** Page size asked for (§2.13: limit ≤ 100). */
export const PAGE_LIMIT = 100;

export const HEADERS = {
  idempotencyKey: 'Idempotency-Key',
  retryAfter: 'retry-after',
  requestId: 'x-request-id',
} as const;

/** Error codes the client branches on. */
export const ERROR_CODES = {
  customerExists: 'CUSTOMER_ALREADY_EXISTS',
  licenceLimit: 'LICENSE_LIMIT_REACHED',
  invalidTransition: 'INVALID_STATUS_TRANSITION',
  validation: 'VALIDATION_ERROR',
} as const;

const REJECTION_REASON_BY_CODE: ReadonlyMap<string, PlatformRejectionReason> = new Map<string, PlatformRejectionReason>([
  [ERROR_CODES.licenceLimit, 'licence_limit'],
  [ERROR_CODES.invalidTransition, 'invalid_transition'],
  [ERROR_CODES.validation, 'validation'],
]);

/** Why the platform refused a request: its error code when we know it, else 422 reads as invalid data. */
export function rejectionReasonFromWire(code: string | undefined, status: number | undefined): PlatformRejectionReason {
  return (code ? REJECTION_REASON_BY_CODE.get(code) : undefined) ?? (status === 422 ? 'validation' : 'rejected');
}

/** Operation names used in Idempotency-Keys. */
export const OPERATIONS = {
  createCustomer: 'create-customer',
  createSubscription: 'create-subscription',
  createLicence: 'create-license',
} as const;

// ------------------------------------------------------------------ token

export interface TokenRequestParts {
  /** JSON object or form fields. */
  fields: Record<string, string>;
  /** HTTP Basic credentials, for the form encoding (RFC 6749 §2.3.1). */
  basic?: { user: string; password: string };
}

export function tokenRequest(clientId: string, clientSecret: string, encoding: 'json' | 'form'): TokenRequestParts {
  if (encoding === 'json') return { fields: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } };
  return { fields: { grant_type: 'client_credentials' }, basic: { user: clientId, password: clientSecret } };
}

export interface TokenResponse {
  accessToken: string;
  expiresInSec: number | undefined;
}

export function tokenFromWire(body: unknown): TokenResponse | null {
  const obj = asRecord(body);
  const token = str(obj.access_token);
  if (!token) return null;
  const expires = Number(obj.expires_in);
  return { accessToken: token, expiresInSec: Number.isFinite(expires) && expires > 0 ? expires : undefined };
}

// ------------------------------------------------------------------ helpers

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

/** Removes undefined members so bodies (and their hashes) only carry what is set. */
function compact<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

// ------------------------------------------------------------------ customers

export function customerToWire(input: CustomerInput): Record<string, unknown> {
  return compact({
    external_id: input.externalId,
    name: input.name,
    document: input.document,
    document_type: input.documentType,
    email: input.email,
    phone: input.phone,
    address: input.address ? compact({ ...input.address }) : undefined,
  });
}

export function customerPatchToWire(patch: CustomerPatch): Record<string, unknown> {
  return compact({
    name: patch.name,
    email: patch.email,
    phone: patch.phone,
    address: patch.address ? compact({ ...patch.address }) : undefined,
  });
}

export function customerFromWire(body: unknown): PlatformCustomer | null {
  const obj = asRecord(body);
  const id = str(obj.id);
  if (!id) return null;
  return {
    id,
    externalId: str(obj.external_id),
    name: str(obj.name) ?? '',
    document: str(obj.document ?? obj.cpf_cnpj),
    email: str(obj.email),
    status: str(obj.status),
  };
}

// ------------------------------------------------------------------ products

export function productFromWire(body: unknown): PlatformProduct | null {
  const obj = asRecord(body);
  const id = str(obj.id);
  if (!id) return null;
  const maxDevices = Number(obj.max_devices);
  return {
    id,
    code: str(obj.code),
    name: str(obj.name) ?? id,
    type: str(obj.type),
    maxDevices: obj.max_devices === undefined || obj.max_devices === null || !Number.isFinite(maxDevices) ? null : maxDevices,
    active: obj.active === undefined ? true : obj.active === true || obj.active === 'true',
  };
}

// ------------------------------------------------------------------ subscriptions

const SUBSCRIPTION_STATUS_FROM_WIRE: Record<string, SubscriptionStatus> = {
  pending: 'pending',
  active: 'active',
  suspended: 'suspended',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

const SUBSCRIPTION_STATUS_TO_WIRE: Record<Exclude<SubscriptionStatus, 'pending'>, string> = {
  active: 'active',
  suspended: 'suspended',
  cancelled: 'cancelled',
};

const REASON_TO_WIRE: Record<StatusReason, string> = {
  past_due: 'past_due',
  manual: 'manual',
  contract_cancelled: 'contract_cancelled',
  customer_request: 'customer_request',
  other: 'other',
};

export function subscriptionToWire(input: SubscriptionInput): Record<string, unknown> {
  return compact({ external_id: input.externalId, start_date: input.startDate, metadata: input.metadata });
}

export function subscriptionStatusToWire(status: Exclude<SubscriptionStatus, 'pending'>, reason: StatusReason): Record<string, unknown> {
  return status === 'active'
    ? { status: SUBSCRIPTION_STATUS_TO_WIRE[status] }
    : { status: SUBSCRIPTION_STATUS_TO_WIRE[status], reason: REASON_TO_WIRE[reason] };
}

export function subscriptionFromWire(body: unknown): PlatformSubscription | null {
  const obj = asRecord(body);
  const id = str(obj.id);
  if (!id) return null;
  return {
    id,
    customerId: str(obj.customer_id) ?? '',
    externalId: str(obj.external_id),
    status: SUBSCRIPTION_STATUS_FROM_WIRE[str(obj.status) ?? ''] ?? 'pending',
    statusReason: str(obj.status_reason),
  };
}

// ------------------------------------------------------------------ licences

const LICENCE_STATUS_FROM_WIRE: Record<string, LicenceStatus> = {
  pending: 'pending',
  active: 'active',
  inactive: 'inactive',
  blocked: 'blocked',
  revoked: 'revoked',
};

export function licenceItemsToWire(items: LicenceItem[]): Array<Record<string, unknown>> {
  return items.map((item) => ({ product_id: item.productId, quantity: item.quantity }));
}

export function licenceToWire(input: LicenceInput): Record<string, unknown> {
  return compact({ external_id: input.externalId, description: input.description, items: licenceItemsToWire(input.items) });
}

export function licenceItemsPatchToWire(items: LicenceItem[]): Record<string, unknown> {
  return { items: licenceItemsToWire(items) };
}

export function licenceStatusToWire(status: 'active' | 'blocked'): Record<string, unknown> {
  return { status };
}

export function licenceFromWire(body: unknown): PlatformLicence | null {
  const obj = asRecord(body);
  const id = str(obj.id);
  if (!id) return null;
  const items = Array.isArray(obj.items) ? obj.items : [];
  return {
    id,
    code: str(obj.code),
    subscriptionId: str(obj.subscription_id),
    externalId: str(obj.external_id),
    status: LICENCE_STATUS_FROM_WIRE[str(obj.status) ?? ''] ?? 'pending',
    items: items.map((raw) => {
      const item = asRecord(raw);
      return { productId: str(item.product_id) ?? '', quantity: Number(item.quantity ?? 0) };
    }),
  };
}

// ------------------------------------------------------------------ lists and pages

export interface WirePage {
  items: unknown[];
  /** Cursor (`meta.next_cursor`) or next link (`links.next`), when the platform paginates that way. */
  nextCursor: string | null;
  nextLink: string | null;
}

/** `{data, meta}`, a cursor page, or a bare array (§2.13). */
export function pageFromWire(body: unknown): WirePage {
  if (Array.isArray(body)) return { items: body, nextCursor: null, nextLink: null };
  const obj = asRecord(body);
  const items = Array.isArray(obj.data) ? obj.data : Array.isArray(obj.items) ? obj.items : [];
  const meta = asRecord(obj.meta);
  const links = asRecord(obj.links);
  return { items, nextCursor: str(meta.next_cursor), nextLink: str(links.next) };
}

// ------------------------------------------------------------------ errors

export interface WireProblem {
  code: string | undefined;
  message: string;
  fieldErrors: Array<{ field: string; message: string }>;
  existingId: string | undefined;
  requestId: string | undefined;
}

/** RFC 9457 problem, `{message, errors}`, OAuth `{error, error_description}` or plain text (§2.9). */
export function problemFromWire(body: unknown, status: number): WireProblem {
  if (typeof body === 'string') {
    return { code: undefined, message: body.slice(0, 300) || `HTTP ${status}`, fieldErrors: [], existingId: undefined, requestId: undefined };
  }
  const obj = asRecord(body);
  const errors = Array.isArray(obj.errors) ? obj.errors : [];
  const code = str(obj.code) ?? str(obj.error) ?? undefined;
  const message = str(obj.detail) ?? str(obj.message) ?? str(obj.error_description) ?? str(obj.title) ?? `HTTP ${status}`;
  return {
    code,
    message,
    fieldErrors: errors.map((raw) => {
      const e = asRecord(raw);
      return { field: str(e.field) ?? str(e.path) ?? '', message: str(e.message) ?? str(e.detail) ?? '' };
    }),
    existingId: str(obj.existing_id) ?? undefined,
    requestId: str(obj.request_id) ?? undefined,
  };
}
