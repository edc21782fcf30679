import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

/** Wire-shaped objects, as the contract (iot-platform-api.md §2) describes them. */
export interface SandboxAddress {
  street?: string;
  number?: string;
  complement?: string;
  district?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
}

export interface SandboxCustomer {
  id: string;
  external_id: string | null;
  name: string;
  document: string;
  document_type: 'CPF' | 'CNPJ';
  email: string | null;
  phone: string | null;
  address: SandboxAddress | null;
  status: 'active';
  created_at: string;
  updated_at: string;
}

export interface SandboxProduct {
  id: string;
  code: string;
  name: string;
  description: string;
  type: 'plan' | 'addon' | 'device_license';
  max_devices: number;
  billing_period: 'monthly';
  price: { amount: number; currency: string } | null;
  active: boolean;
  updated_at: string;
}

export interface SandboxSubscription {
  id: string;
  customer_id: string;
  external_id: string | null;
  status: 'pending' | 'active' | 'suspended' | 'cancelled';
  status_reason: string | null;
  metadata: Record<string, unknown>;
  start_date: string | null;
  created_at: string;
  updated_at: string;
  suspended_at: string | null;
  cancelled_at: string | null;
}

export interface SandboxLicenceItem {
  product_id: string;
  quantity: number;
}

export interface SandboxLicence {
  id: string;
  code: string;
  subscription_id: string;
  customer_id: string;
  external_id: string | null;
  description: string | null;
  status: 'pending' | 'active' | 'inactive' | 'blocked' | 'revoked';
  items: SandboxLicenceItem[];
  /** The device that activated the licence (set by the admin activation). */
  device: string | null;
  activated_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A remembered 2xx result for an Idempotency-Key (errors are never remembered). */
export interface IdempotentResult {
  method: string;
  path: string;
  bodyHash: string;
  status: number;
  body: unknown;
}

export interface SandboxData {
  customers: Record<string, SandboxCustomer>;
  products: Record<string, SandboxProduct>;
  subscriptions: Record<string, SandboxSubscription>;
  licences: Record<string, SandboxLicence>;
  idempotency: Record<string, IdempotentResult>;
}

export function emptyData(): SandboxData {
  return { customers: {}, products: {}, subscriptions: {}, licences: {}, idempotency: {} };
}

/**
 * `sbx-` and 24 hex characters: opaque to clients like the platform's ids, but never mistaken for
 * one, so a sandbox id written into a production IXC stands out.
 */
export function newObjectId(): string {
  return `sbx-${randomBytes(12).toString('hex')}`;
}

export function newActivationCode(): string {
  const hex = randomBytes(6).toString('hex').toUpperCase();
  return `SANDBOX-${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8)}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function loadData(file: string): SandboxData | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SandboxData>;
    return { ...emptyData(), ...parsed };
  } catch {
    return null;
  }
}

/** Writes atomically (temp file + rename) so a crash never leaves half a state file. */
export function saveData(file: string, data: SandboxData): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2));
  renameSync(tmp, file);
}
