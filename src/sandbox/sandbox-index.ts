import type { SandboxCustomer, SandboxData, SandboxLicence, SandboxSubscription } from './sandbox-state';

/**
 * Lookups by the fields the API searches on, so a find or a duplicate check does not scan every
 * object: with thousands of objects the scans cost the bench's sandbox ~40 s of CPU in a 100 s
 * drain, on the same two cores as the worker it measures. Built lazily per collection object (a
 * reset or a loaded state file brings new ones) and kept current by the API's own writes, the
 * only code that creates objects or changes an indexed field.
 */
interface Index<T> {
  by: Map<string, Map<string, T[]>>;
}

const indexes = new WeakMap<object, Index<unknown>>();

type Keys<T> = Record<string, (item: T) => string | null>;

const CUSTOMER_KEYS: Keys<SandboxCustomer> = {
  document: (c) => c.document,
  email: (c) => (c.email === null ? null : c.email.toLowerCase()),
  external_id: (c) => c.external_id,
};
const SUBSCRIPTION_KEYS: Keys<SandboxSubscription> = {
  external_id: (s) => s.external_id,
  customer_id: (s) => s.customer_id,
};
const LICENCE_KEYS: Keys<SandboxLicence> = {
  external_id: (l) => l.external_id,
  subscription_id: (l) => l.subscription_id,
};

function add<T>(index: Index<T>, keys: Keys<T>, item: T): void {
  for (const [field, keyOf] of Object.entries(keys)) {
    const key = keyOf(item);
    if (key === null) continue;
    let byKey = index.by.get(field);
    if (!byKey) index.by.set(field, (byKey = new Map()));
    const list = byKey.get(key);
    if (list) list.push(item);
    else byKey.set(key, [item]);
  }
}

function indexOf<T>(collection: Record<string, T>, keys: Keys<T>): Index<T> {
  let index = indexes.get(collection) as Index<T> | undefined;
  if (!index) {
    index = { by: new Map() };
    for (const item of Object.values(collection)) add(index, keys, item);
    indexes.set(collection, index as Index<unknown>);
  }
  return index;
}

function lookup<T>(collection: Record<string, T>, keys: Keys<T>, field: string, key: string): T[] {
  // A copy: callers filter and page it, the index keeps its own.
  return [...(indexOf(collection, keys).by.get(field)?.get(key) ?? [])];
}

export const customersBy = (data: SandboxData, field: 'document' | 'email' | 'external_id', key: string): SandboxCustomer[] =>
  lookup(data.customers, CUSTOMER_KEYS, field, field === 'email' ? key.toLowerCase() : key);
export const subscriptionsBy = (data: SandboxData, field: 'external_id' | 'customer_id', key: string): SandboxSubscription[] =>
  lookup(data.subscriptions, SUBSCRIPTION_KEYS, field, key);
export const licencesBy = (data: SandboxData, field: 'external_id' | 'subscription_id', key: string): SandboxLicence[] =>
  lookup(data.licences, LICENCE_KEYS, field, key);

/** Stores a new object and indexes it. */
export function addCustomer(data: SandboxData, customer: SandboxCustomer): void {
  const index = indexOf(data.customers, CUSTOMER_KEYS);
  data.customers[customer.id] = customer;
  add(index, CUSTOMER_KEYS, customer);
}
export function addSubscription(data: SandboxData, subscription: SandboxSubscription): void {
  const index = indexOf(data.subscriptions, SUBSCRIPTION_KEYS);
  data.subscriptions[subscription.id] = subscription;
  add(index, SUBSCRIPTION_KEYS, subscription);
}
export function addLicence(data: SandboxData, licence: SandboxLicence): void {
  const index = indexOf(data.licences, LICENCE_KEYS);
  data.licences[licence.id] = licence;
  add(index, LICENCE_KEYS, licence);
}

/** Changes a customer's e-mail and moves it in the e-mail index. */
export function setCustomerEmail(data: SandboxData, customer: SandboxCustomer, email: string | null): void {
  const byEmail = indexOf(data.customers, CUSTOMER_KEYS).by.get('email');
  if (customer.email !== null && byEmail) {
    const old = customer.email.toLowerCase();
    const rest = (byEmail.get(old) ?? []).filter((c) => c !== customer);
    if (rest.length > 0) byEmail.set(old, rest);
    else byEmail.delete(old);
  }
  customer.email = email;
  if (email !== null) {
    const key = email.toLowerCase();
    const list = byEmail?.get(key);
    if (list) list.push(customer);
    else if (byEmail) byEmail.set(key, [customer]);
  }
}
