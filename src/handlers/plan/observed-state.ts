import type { LicenceStatus, SubscriptionStatus } from '../ports/iot-platform';

/** Written before the first create (DESIGN.md § Intent before effect): the references about to be used. */
export interface Intent {
  /** Subscription epoch the references belong to. */
  epoch: number;
  customerExternalId: string | null;
  subscriptionExternalId: string;
  /** Platform product id → licence reference and its epoch. */
  licences: Record<string, { externalId: string; epoch: number }>;
}

export interface ObservedSubscription {
  ref: string;
  externalId: string | null;
  status: SubscriptionStatus;
}

/** A licence the contract has (or had) for one platform product. */
export interface ObservedLicence {
  platformProductId: string;
  /** Platform id; null when never created (or not found). */
  ref: string | null;
  externalId: string | null;
  code: string | null;
  status: LicenceStatus | null;
  quantity: number;
  /** Epoch of this licence's external reference. */
  epoch: number;
  /** `licencas_iot.id` of its IXC row. */
  licencaIotId: number | null;
}

/**
 * What is there now: from the project's sync rows (normal mode) or the platform itself (verify
 * mode), with intents resolved by external reference and native ids adopted. The plan diffs
 * the desired state against this.
 */
export interface ObservedState {
  source: 'recorded' | 'platform';
  /** Subscription epoch on the sync row. */
  epoch: number;
  intent: Intent | null;
  /**
   * The desired IXC customer's platform customer as recorded; `documentKey` is the key
   * (src/handlers/domain/document-key.ts) of the CPF/CNPJ it was found by (null: not recorded), so
   * a corrected document is not mistaken for the same customer.
   */
  customer: { ref: string | null; fingerprint: string | null; documentKey?: string | null };
  /** Whose platform customer holds the subscription (DESIGN.md § Ownership); null when not recorded. */
  owner?: { clienteId: number | null; documentKey: string | null } | null;
  subscription: ObservedSubscription | null;
  /** The newest licence of each platform product. */
  licences: ObservedLicence[];
  /** Licences this reconcile replaced under a new epoch: their IXC rows and records stay, as history. */
  retired?: ObservedLicence[];
  /** `licencas_iot` rows whose native ids the platform no longer knows (adoption's GET said 404). */
  staleRows?: number[];
}

/** Parses the intent column; anything unreadable counts as no intent. */
export function parseIntent(text: string | null): Intent | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<Intent>;
    if (typeof value.epoch !== 'number' || typeof value.subscriptionExternalId !== 'string') return null;
    return {
      epoch: value.epoch,
      customerExternalId: typeof value.customerExternalId === 'string' ? value.customerExternalId : null,
      subscriptionExternalId: value.subscriptionExternalId,
      licences: value.licences && typeof value.licences === 'object' ? value.licences : {},
    };
  } catch {
    return null;
  }
}
