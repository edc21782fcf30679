import { checkWorld, desiredKind, type ContractExpectation, type DesiredKind, type LicencaRow } from '../chaos/chaos-oracle';
import type { SandboxAdminState } from '../src/sandbox/sandbox-admin';
import { makeCpf } from '../test/helpers/ixc-world';

export interface WorldRows {
  /** Every contract of the run, with its final IXC row. */
  contracts: Array<{ id: number; id_cliente: number; status: string | null; status_internet: string | null }>;
  /** Contract id → platform product → summed quantity of its effective IoT lines (own and plan). */
  quantities: ReadonlyMap<number, ReadonlyMap<string, number>>;
  /** Every `licencas_iot` row of the run's integration. */
  licencas: LicencaRow[];
}

export interface WorldVerification {
  contracts: number;
  /** Contracts checked, by desired kind. */
  checked: Record<DesiredKind, number>;
  subscriptions: number;
  licences: number;
  /** Contracts whose platform objects or `licencas_iot` rows differ from their final rows. */
  wrong: number;
  duplicates: number;
  /** Platform objects of the run's tenant, or licencas_iot rows, that belong to no contract of the run. */
  extra: number;
  /** Up to 20 readable differences. */
  mismatches: string[];
  ok: boolean;
}

const CONTRACT_REF = (tenant: string) => new RegExp(`^ixc:${tenant}:contrato:(\\d+)(?::|$)`);
const CUSTOMER_REF = (tenant: string) => new RegExp(`^ixc:${tenant}:cliente:(\\d+)$`);

/**
 * Everything against the platform and IXC's tables: every contract of the run (not only the
 * active ones) holds its desired state or nothing (chaos/chaos-oracle.ts, an implementation
 * independent of the worker's), no object of the tenant or licencas_iot row outside the run's
 * contracts and customers, one customer per document.
 */
export function verifyWorld(rows: WorldRows, state: SandboxAdminState, tenant: string): WorldVerification {
  const expectations: ContractExpectation[] = rows.contracts.map((c) => ({
    contractId: c.id,
    kind: desiredKind(c),
    quantities: new Map(rows.quantities.get(c.id) ?? []),
  }));
  const contractIds = new Set(rows.contracts.map((c) => c.id));
  const customerIds = new Set(rows.contracts.map((c) => c.id_cliente));
  const documents = new Set([...customerIds].map((id) => makeCpf(id).replace(/\D/g, '')));
  const report = checkWorld(expectations, state, rows.licencas, tenant, documents);

  const extras: string[] = [];
  const contractRef = CONTRACT_REF(tenant);
  const customerRef = CUSTOMER_REF(tenant);
  const outside = (ref: string | null, re: RegExp, ids: ReadonlySet<number>) => {
    const m = ref === null ? null : re.exec(ref);
    return m !== null && !ids.has(Number(m[1]));
  };
  const subs = state.subscriptions.filter((s) => s.external_id !== null && contractRef.test(s.external_id));
  const lics = state.licences.filter((l) => l.external_id !== null && contractRef.test(l.external_id));
  for (const s of subs) if (outside(s.external_id, contractRef, contractIds)) extras.push(`subscription ${s.external_id} of no contract of the run`);
  for (const l of lics) if (outside(l.external_id, contractRef, contractIds)) extras.push(`licence ${l.external_id} of no contract of the run`);
  for (const c of state.customers) {
    if (outside(c.external_id, customerRef, customerIds)) extras.push(`customer ${c.external_id} of no customer of the run`);
  }
  for (const r of rows.licencas) if (!contractIds.has(Number(r.id_contrato))) extras.push(`licencas_iot row of contract ${r.id_contrato}, not of the run`);

  const mismatches = [...report.problems, ...extras].slice(0, 20);
  return {
    contracts: report.contracts,
    checked: report.checked,
    subscriptions: subs.length,
    licences: lics.length,
    wrong: report.lost,
    duplicates: report.duplicates,
    extra: extras.length,
    mismatches,
    ok: report.lost === 0 && report.duplicates === 0 && extras.length === 0,
  };
}
