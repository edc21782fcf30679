import type { ContractSummaryRead } from '../handlers/work-set/work-set-reads';
import type { SandboxAdminState } from '../sandbox/sandbox-admin';
import { maskDocument, maskName } from '../lib/mask';

export interface LicencaRow {
  id: number;
  id_contrato: number;
  status: string;
  id_licenca_integracao: string | null;
  codigo_licenca_integracao: string | null;
  descricao: string | null;
}

export interface ContractRow {
  id: number;
  id_cliente: number;
  status: string | null;
  status_internet: string | null;
}

const short = (id: string | null | undefined): string => (id ? `${id.slice(0, 8)}…` : '—');

/**
 * One contract as the demo shows it: IXC's contract row, what the platform holds for it (from the
 * sandbox's state) and IXC's "Licença IoT" rows written back. Documents and names are masked.
 */
export function describeContract(tenant: string, contract: ContractRow | undefined, contractId: number, platform: SandboxAdminState, licencas: LicencaRow[], sync: ContractSummaryRead | undefined): string[] {
  const out: string[] = [];
  const ixc = contract ? `IXC status ${contract.status ?? '∅'} / status_internet ${contract.status_internet ?? '∅'}` : 'IXC row deleted';
  out.push(`  contract ${contractId}: ${ixc}; last reconcile ${sync?.last_outcome ?? '—'}${sync?.parked_reason ? ` (parked: ${sync.parked_reason})` : ''}`);
  const prefix = `ixc:${tenant}:contrato:${contractId}`;
  const subs = platform.subscriptions.filter((s) => s.external_id === prefix || s.external_id?.startsWith(`${prefix}:`) && !s.external_id.includes(':produto:'));
  for (const sub of subs) {
    const customer = platform.customers.find((c) => c.id === sub.customer_id);
    const who = customer ? `${maskName(customer.name)} ${maskDocument(customer.document)}` : sub.customer_id;
    out.push(`    platform subscription ${short(sub.id)} ${sub.status.padEnd(9)} customer ${short(sub.customer_id)} (${who})  [${sub.external_id}]`);
  }
  const licences = platform.licences.filter((l) => l.external_id?.startsWith(`${prefix}:produto:`));
  for (const l of licences) {
    const item = l.items.map((i) => `${i.product_id} ×${i.quantity}`).join(', ');
    out.push(`    platform licence      ${short(l.id)} ${l.status.padEnd(9)} code ${l.code}  ${item}`);
  }
  if (subs.length === 0 && licences.length === 0) out.push('    platform: nothing for this contract');
  for (const r of licencas) {
    out.push(`    IXC licencas_iot #${r.id}: status ${r.status}  licence ${short(r.id_licenca_integracao)}  code ${r.codigo_licenca_integracao ?? '—'}  "${r.descricao ?? ''}"`);
  }
  if (licencas.length === 0) out.push('    IXC licencas_iot: no rows');
  return out;
}
