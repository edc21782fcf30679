/**
 * The IoT platform as the reconcile core sees it. `src/iot-client/` implements it over HTTP;
 * the core never sees axios, paths or field names. Ids are opaque strings.
 */

export type SubscriptionStatus = 'pending' | 'active' | 'suspended' | 'cancelled';
export type LicenceStatus = 'pending' | 'active' | 'inactive' | 'blocked' | 'revoked';
export type StatusReason = 'past_due' | 'manual' | 'contract_cancelled' | 'customer_request' | 'other';

export interface Address {
  street?: string;
  number?: string;
  complement?: string;
  district?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
}

/** What the worker sends for a customer; validated before any create (domain/customer/customer-input.ts). */
export interface CustomerInput {
  externalId: string;
  name: string;
  /** CPF: 11 digits; CNPJ: 14 characters, uppercase alphanumeric allowed. */
  document: string;
  documentType: 'CPF' | 'CNPJ';
  email?: string;
  /** E.164 */
  phone?: string;
  address?: Address;
}

export type CustomerPatch = Partial<Pick<CustomerInput, 'name' | 'email' | 'phone' | 'address'>>;

export interface PlatformCustomer {
  id: string;
  externalId: string | null;
  name: string;
  document: string | null;
  email: string | null;
  status: string | null;
}

export interface PlatformProduct {
  id: string;
  code: string | null;
  name: string;
  type: string | null;
  maxDevices: number | null;
  active: boolean;
}

export interface SubscriptionInput {
  externalId: string;
  startDate?: string;
  metadata?: Record<string, string | number | boolean | null>;
}

export interface PlatformSubscription {
  id: string;
  customerId: string;
  externalId: string | null;
  status: SubscriptionStatus;
  statusReason: string | null;
}

export interface LicenceItem {
  productId: string;
  quantity: number;
}

export interface LicenceInput {
  externalId: string;
  description?: string;
  items: LicenceItem[];
}

export interface PlatformLicence {
  id: string;
  code: string | null;
  subscriptionId: string | null;
  externalId: string | null;
  status: LicenceStatus;
  items: LicenceItem[];
}

/** Per-call context: which contract the call is for (audit), and the reconcile's abort signal. */
export interface CallContext {
  contractId?: number;
  signal?: AbortSignal;
}

/**
 * How a find-or-create starts. `findFirst: false` is for a reference this deployment's own intent
 * record shows was never used in a create (DESIGN.md § Intent before effect): nothing can exist
 * under it, so the create goes first and a 409 still resolves to the existing object.
 */
export interface CreateMode {
  /** @defaultValue true */
  findFirst?: boolean;
}

export interface FoundOrCreated<T> {
  value: T;
  created: boolean;
}

export interface IotPlatform {
  findCustomersByDocument(document: string, ctx?: CallContext): Promise<PlatformCustomer[]>;
  findCustomersByEmail(email: string, ctx?: CallContext): Promise<PlatformCustomer[]>;
  getCustomer(id: string, ctx?: CallContext): Promise<PlatformCustomer | null>;
  /** Search by document, then e-mail (accepted only when the document matches or is absent), then create; 409 → search again. */
  findOrCreateCustomer(input: CustomerInput, ctx?: CallContext): Promise<FoundOrCreated<PlatformCustomer>>;
  updateCustomer(id: string, patch: CustomerPatch, ctx?: CallContext): Promise<PlatformCustomer>;

  listProducts(ctx?: CallContext): Promise<PlatformProduct[]>;

  getSubscription(id: string, ctx?: CallContext): Promise<PlatformSubscription | null>;
  findSubscriptionByExternalId(externalId: string, ctx?: CallContext): Promise<PlatformSubscription | null>;
  findOrCreateSubscription(customerId: string, input: SubscriptionInput, ctx?: CallContext, mode?: CreateMode): Promise<FoundOrCreated<PlatformSubscription>>;
  /** Absolute target state: re-applying the same status is a no-op. */
  setSubscriptionStatus(id: string, status: Exclude<SubscriptionStatus, 'pending'>, reason: StatusReason, ctx?: CallContext): Promise<PlatformSubscription>;

  listLicences(subscriptionId: string, ctx?: CallContext): Promise<PlatformLicence[]>;
  getLicence(id: string, ctx?: CallContext): Promise<PlatformLicence | null>;
  findLicenceByExternalId(subscriptionId: string, externalId: string, ctx?: CallContext): Promise<PlatformLicence | null>;
  findOrCreateLicence(subscriptionId: string, input: LicenceInput, ctx?: CallContext, mode?: CreateMode): Promise<FoundOrCreated<PlatformLicence>>;
  /** Keeps the licence's id and activation code. */
  updateLicenceItems(id: string, items: LicenceItem[], ctx?: CallContext): Promise<PlatformLicence>;
  setLicenceStatus(id: string, status: 'active' | 'blocked', ctx?: CallContext): Promise<PlatformLicence>;
  /** Terminal. A 404 counts as success. */
  revokeLicence(id: string, ctx?: CallContext): Promise<void>;
}
