import type { StatusReason } from '../ports/iot-platform';

/** What IXC's contract row asks of the platform (DESIGN.md § Decisions, State). */
export type ContractTarget = 'cancelled' | 'not-yet' | 'suspended' | 'active' | 'hold';

export interface ContractStatusInput {
  /** False when the `cliente_contrato` row is gone. */
  exists: boolean;
  /** `status`: A, I, P, N, D; '' or NULL in legacy rows. */
  status: string | null;
  /** `status_internet`: A, D, CM, CA, CE, FA, AA; '' or NULL in legacy rows. */
  statusInternet: string | null;
}

export interface StatePolicies {
  /** `status` N: suspend (default) or cancel. */
  negativadoPolicy: 'suspend' | 'cancel';
  /** `status_internet` FA: suspend (default) or keep active. */
  overduePolicy: 'suspend' | 'active';
}

export interface ContractDecision {
  target: ContractTarget;
  /** Row of the state table that matched (1-5). */
  rule: 1 | 2 | 3 | 4 | 5;
  /** Reason sent with a status change. */
  reason: StatusReason;
  /** Human explanation, for plans and warnings. */
  why: string;
}

/** Codes that block access; the reason sent with the suspension. */
const SUSPENDING_INTERNET: Readonly<Record<string, StatusReason>> = {
  CM: 'manual',
  CA: 'past_due',
  FA: 'past_due',
  CE: 'past_due',
  D: 'manual',
};

function code(value: string | null): string {
  return (value ?? '').trim().toUpperCase();
}

/**
 * The state table, first match wins. Pure; one test per row.
 * 1 deleted, `status` I or D → cancelled; 2 `status` P or `status_internet` AA → not yet;
 * 3 `status` N or `status_internet` CM/CA/FA/CE/D → suspended; 4 A + A → active; 5 anything else → hold.
 * `status` D (gave up) is not `status_internet` D (deactivated).
 */
export function decideContractState(input: ContractStatusInput, policies: StatePolicies): ContractDecision {
  const status = code(input.status);
  const internet = code(input.statusInternet);
  if (!input.exists) return { target: 'cancelled', rule: 1, reason: 'contract_cancelled', why: 'contract row deleted' };
  if (status === 'I' || status === 'D') {
    return { target: 'cancelled', rule: 1, reason: 'contract_cancelled', why: `status ${status}` };
  }
  if (status === 'P' || internet === 'AA') {
    return { target: 'not-yet', rule: 2, reason: 'other', why: status === 'P' ? 'status P (pre-contract)' : 'status_internet AA (awaiting signature)' };
  }
  if (status === 'N') {
    return policies.negativadoPolicy === 'cancel'
      ? { target: 'cancelled', rule: 3, reason: 'contract_cancelled', why: 'status N (negativado), policy cancel' }
      : { target: 'suspended', rule: 3, reason: 'past_due', why: 'status N (negativado)' };
  }
  const suspendReason = SUSPENDING_INTERNET[internet];
  if (suspendReason !== undefined && !(internet === 'FA' && policies.overduePolicy === 'active')) {
    return { target: 'suspended', rule: 3, reason: suspendReason, why: `status_internet ${internet}` };
  }
  if (status === 'A' && (internet === 'A' || internet === 'FA')) {
    // FA reaches here only under the overdue policy "active".
    return { target: 'active', rule: 4, reason: 'other', why: internet === 'A' ? 'status A, status_internet A' : 'status_internet FA, policy active' };
  }
  return {
    target: 'hold',
    rule: 5,
    reason: 'other',
    why: `unknown or unset codes (status "${status}", status_internet "${internet}"): current state held`,
  };
}
