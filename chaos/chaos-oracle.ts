import type { SandboxAdminState } from '../src/sandbox/sandbox-admin';

/**
 * An independent, deliberately simple oracle (it shares no code with src/handlers): what the
 * platform and `licencas_iot` must hold for a contract, from its IXC rows only, for the shapes the
 * chaos world creates (own lines, products of one integration).
 */
export type DesiredKind = 'active' | 'suspended' | 'cancelled' | 'not-yet' | 'hold';

export interface ContractRowLite {
  id: number;
  status: string | null;
  status_internet: string | null;
}

/** DESIGN.md § Decisions, State, with the default policies (N suspends, FA suspends). */
export function desiredKind(row: ContractRowLite | undefined): DesiredKind {
  if (!row) return 'cancelled';
  const s = row.status ?? '';
  const si = row.status_internet ?? '';
  if (s === 'I' || s === 'D') return 'cancelled';
  if (s === 'P' || si === 'AA') return 'not-yet';
  if (s === 'N' || ['CM', 'CA', 'FA', 'CE', 'D'].includes(si)) return 'suspended';
  if (s === 'A' && si === 'A') return 'active';
  return 'hold';
}

export interface ContractExpectation {
  contractId: number;
  kind: DesiredKind;
  /** Platform product id → summed quantity of the contract's own lines. */
  quantities: Map<string, number>;
}

export interface LicencaRow {
  id_contrato: number;
  id_licenca_integracao: string | null;
  id_assinatura_integracao: string | null;
  status: string;
}

export interface OracleReport {
  contracts: number;
  /** Contracts whose platform state or `licencas_iot` differs from the desired state. */
  lost: number;
  duplicates: number;
  /** Contracts checked, by desired kind: shows which kinds the world's final state exercised. */
  checked: Record<DesiredKind, number>;
  /** Up to 20 readable differences, for the report. */
  problems: string[];
}

const LIVE_SUB = new Set(['active', 'suspended']);
const LIVE_LIC = new Set(['pending', 'active', 'blocked']);
/**
 * The `licencas_iot` letter a platform licence's status allows (DESIGN.md § The tab). An activation
 * reaches IXC when the pending licence is re-read, so an active licence may still show P.
 */
const ROW_LETTERS: Record<string, readonly string[]> = { pending: ['P'], active: ['A', 'P'], blocked: ['B'], revoked: ['I'], inactive: ['I'] };

function contractOfRef(ref: string | null | undefined, tenant: string): { contract: number; product: string | null } | null {
  if (!ref) return null;
  const m = new RegExp(`^ixc:${tenant}:contrato:(\\d+)(?::produto:([^:]+))?(?::\\d+)?$`).exec(ref);
  return m ? { contract: Number(m[1]), product: m[2] ?? null } : null;
}

type Sub = SandboxAdminState['subscriptions'][number];
type Lic = SandboxAdminState['licences'][number];

/**
 * `licencas_iot` against the platform, for one contract: one row per platform licence of the
 * contract (revoked ones too, for ever), each with the licence's letter and subscription, and no
 * row that points at no licence of this contract (stale or stray).
 */
function tabProblems(lics: readonly Lic[], rows: readonly LicencaRow[]): string[] {
  const problems: string[] = [];
  const byId = new Map(lics.map((l) => [l.id, l]));
  for (const l of lics) {
    const row = rows.find((r) => r.id_licenca_integracao === l.id);
    const product = l.items[0]?.product_id ?? '?';
    if (!row) problems.push(`${product} (${l.status}): no licencas_iot row`);
    else {
      if (!(ROW_LETTERS[l.status] ?? []).includes(row.status)) problems.push(`${product} (${l.status}): licencas_iot ${row.status}`);
      if (row.id_assinatura_integracao !== l.subscription_id) problems.push(`${product}: licencas_iot subscription ${row.id_assinatura_integracao ?? 'empty'}`);
    }
  }
  const stray = rows.filter((r) => r.id_licenca_integracao === null || !byId.has(r.id_licenca_integracao));
  if (stray.length > 0) problems.push(`${stray.length} licencas_iot row(s) of no licence of this contract`);
  return problems;
}

/**
 * Convergence and duplicates for the given contracts: every contract's platform objects and
 * `licencas_iot` rows equal its desired state; one customer per document, one subscription per
 * external reference (contract and epoch), one live licence per contract and product, one
 * `licencas_iot` row per platform licence and none besides.
 */
export function checkWorld(expectations: ContractExpectation[], state: SandboxAdminState, licencas: LicencaRow[], tenant: string, documents: ReadonlySet<string>): OracleReport {
  const problems: string[] = [];
  const note = (p: string): void => void (problems.length < 20 && problems.push(p));
  let duplicates = 0;
  const checked: Record<DesiredKind, number> = { active: 0, suspended: 0, cancelled: 0, 'not-yet': 0, hold: 0 };

  const byDocument = new Map<string, number>();
  for (const c of state.customers) if (c.document && documents.has(c.document)) byDocument.set(c.document, (byDocument.get(c.document) ?? 0) + 1);
  for (const [doc, n] of byDocument) if (n > 1) { duplicates += n - 1; note(`customer document …${doc.slice(-4)} exists ${n} times`); }

  const subsByContract = new Map<number, Sub[]>();
  const subsByRef = new Map<string, number>();
  for (const s of state.subscriptions) {
    const ref = contractOfRef(s.external_id, tenant);
    if (!ref || ref.product !== null) continue;
    subsByRef.set(s.external_id!, (subsByRef.get(s.external_id!) ?? 0) + 1);
    subsByContract.set(ref.contract, [...(subsByContract.get(ref.contract) ?? []), s]);
  }
  for (const [ref, n] of subsByRef) if (n > 1) { duplicates += n - 1; note(`subscription ${ref} exists ${n} times`); }

  const licsByContract = new Map<number, Lic[]>();
  for (const l of state.licences) {
    const ref = contractOfRef(l.external_id, tenant);
    if (!ref || ref.product === null) continue;
    licsByContract.set(ref.contract, [...(licsByContract.get(ref.contract) ?? []), l]);
  }
  const rowsByContract = new Map<number, LicencaRow[]>();
  const rowsByLicence = new Map<string, number>();
  for (const r of licencas) {
    rowsByContract.set(Number(r.id_contrato), [...(rowsByContract.get(Number(r.id_contrato)) ?? []), r]);
    if (r.id_licenca_integracao) rowsByLicence.set(r.id_licenca_integracao, (rowsByLicence.get(r.id_licenca_integracao) ?? 0) + 1);
  }
  for (const [id, n] of rowsByLicence) if (n > 1) { duplicates += n - 1; note(`licencas_iot holds licence ${id} ${n} times`); }

  let lost = 0;
  for (const e of expectations) {
    checked[e.kind] += 1;
    const subs = subsByContract.get(e.contractId) ?? [];
    const lics = licsByContract.get(e.contractId) ?? [];
    const rows = rowsByContract.get(e.contractId) ?? [];
    const liveLics = lics.filter((l) => LIVE_LIC.has(l.status));
    const perProduct = new Map<string, number>();
    for (const l of liveLics) perProduct.set(l.items[0]?.product_id ?? '?', (perProduct.get(l.items[0]?.product_id ?? '?') ?? 0) + 1);
    for (const [product, n] of perProduct) if (n > 1) { duplicates += n - 1; note(`contract ${e.contractId}: ${n} live licences of ${product}`); }
    const liveSubs = subs.filter((s) => LIVE_SUB.has(s.status));
    if (liveSubs.length > 1) { duplicates += liveSubs.length - 1; note(`contract ${e.contractId}: ${liveSubs.length} live subscriptions`); }

    const problemsHere = tabProblems(lics, rows);
    const sub = liveSubs[0];
    if (liveLics.some((l) => l.subscription_id !== sub?.id)) problemsHere.push('a live licence outside the live subscription');
    if (e.kind === 'hold') {
      // Held as it was: whatever state that is, the subscription and its licences agree with each other.
      const blocked = liveLics.filter((l) => l.status === 'blocked').length;
      if (sub?.status === 'active' && blocked > 0) problemsHere.push(`${blocked} blocked licence(s) under an active subscription`);
      if (sub?.status === 'suspended' && blocked !== liveLics.length) problemsHere.push(`${liveLics.length - blocked} unblocked licence(s) under a suspended subscription`);
    } else if (e.kind === 'cancelled' || (e.kind !== 'active' && subs.length === 0)) {
      // Cancelled, or never provisioned and not active: nothing live (nothing is created only to be suspended).
      if (sub) problemsHere.push(`subscription still ${sub.status}`);
      if (liveLics.length > 0) problemsHere.push(`${liveLics.length} licence(s) not revoked`);
    } else {
      // Active, or suspended / not yet after provisioning (not yet suspends, never cancels).
      const wantSub = e.kind === 'active' ? 'active' : 'suspended';
      const wantLic = e.kind === 'active' ? ['pending', 'active'] : ['blocked'];
      if (e.quantities.size > 0 && !sub) problemsHere.push('subscription missing');
      // Without IoT quantity nothing is created, but a subscription already there still follows the state.
      if (sub && sub.status !== wantSub) problemsHere.push(`subscription ${sub.status}`);
      for (const [product, quantity] of e.quantities) {
        const lic = liveLics.find((l) => l.items[0]?.product_id === product);
        if (!lic) { problemsHere.push(`no live licence of ${product}`); continue; }
        if (lic.items[0]?.quantity !== quantity) problemsHere.push(`${product} quantity ${lic.items[0]?.quantity} != ${quantity}`);
        if (!wantLic.includes(lic.status)) problemsHere.push(`${product} licence ${lic.status}`);
      }
      const extra = liveLics.filter((l) => !e.quantities.has(l.items[0]?.product_id ?? ''));
      if (extra.length > 0) problemsHere.push(`${extra.length} live licence(s) of products no longer on the contract`);
    }
    if (problemsHere.length > 0) {
      lost += 1;
      note(`contract ${e.contractId} (${e.kind}): ${problemsHere.join('; ')}`);
    }
  }
  return { contracts: expectations.length, lost, duplicates, checked, problems };
}
