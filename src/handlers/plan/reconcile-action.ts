import type { CustomerInput, LicenceItem, StatusReason } from '../ports/iot-platform';

/** One step of a plan. Each sets an absolute target, so re-running it is safe. */
export type ReconcileAction =
  | { kind: 'ensure-customer'; input: CustomerInput; fingerprint: string }
  | { kind: 'update-customer'; input: CustomerInput; fingerprint: string }
  | { kind: 'create-subscription'; externalId: string; epoch: number }
  | { kind: 'set-subscription-status'; status: 'active' | 'suspended' | 'cancelled'; reason: StatusReason }
  | { kind: 'create-licence'; platformProductId: string; externalId: string; epoch: number; items: LicenceItem[]; description: string }
  | { kind: 'update-licence-items'; platformProductId: string; items: LicenceItem[] }
  | { kind: 'set-licence-status'; platformProductId: string; status: 'active' | 'blocked' }
  | { kind: 'revoke-licence'; platformProductId: string };

/** One line of text per action, for `reconcile` output and logs (no personal data). */
export function describeAction(action: ReconcileAction): string {
  switch (action.kind) {
    case 'ensure-customer':
      return `find or create customer ${action.input.externalId}`;
    case 'update-customer':
      return `update customer ${action.input.externalId} (data changed)`;
    case 'create-subscription':
      return `create subscription ${action.externalId}`;
    case 'set-subscription-status':
      return `set subscription ${action.status} (${action.reason})`;
    case 'create-licence':
      return `create licence ${action.externalId} × ${action.items.reduce((n, i) => n + i.quantity, 0)}`;
    case 'update-licence-items':
      return `update licence for product ${action.platformProductId} to × ${action.items.reduce((n, i) => n + i.quantity, 0)}`;
    case 'set-licence-status':
      return `${action.status === 'blocked' ? 'block' : 'unblock'} licence for product ${action.platformProductId}`;
    case 'revoke-licence':
      return `revoke licence for product ${action.platformProductId}`;
  }
}
