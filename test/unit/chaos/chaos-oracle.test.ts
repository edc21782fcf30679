import { checkWorld, desiredKind, type ContractExpectation, type DesiredKind, type LicencaRow } from '../../../chaos/chaos-oracle';
import type { SandboxAdminState } from '../../../src/sandbox/sandbox-admin';

type Sub = SandboxAdminState['subscriptions'][number];
type Lic = SandboxAdminState['licences'][number];

const T = 'ten';
const subscription = (contract: number, status: Sub['status'], epoch = ''): Sub => ({
  id: `sub-${contract}${epoch}`,
  customer_id: `cus-${contract}`,
  external_id: `ixc:${T}:contrato:${contract}${epoch ? `:${epoch}` : ''}`,
  status,
  status_reason: null,
  metadata: {},
  start_date: null,
  created_at: '',
  updated_at: '',
  suspended_at: null,
  cancelled_at: null,
});
const licence = (contract: number, product: string, quantity: number, status: Lic['status'], sub = `sub-${contract}`): Lic => ({
  id: `lic-${contract}-${product}-${status}`,
  code: 'CODE',
  subscription_id: sub,
  customer_id: `cus-${contract}`,
  external_id: `ixc:${T}:contrato:${contract}:produto:${product}`,
  description: null,
  status,
  items: [{ product_id: product, quantity }],
  device: null,
  activated_at: null,
  created_at: '',
  updated_at: '',
});
const LETTER: Record<Lic['status'], string> = { pending: 'P', active: 'A', blocked: 'B', revoked: 'I', inactive: 'I' };
const rowOf = (contract: number, l: Lic): LicencaRow => ({ id_contrato: contract, id_licenca_integracao: l.id, id_assinatura_integracao: l.subscription_id, status: LETTER[l.status] });
const expect_ = (contractId: number, kind: DesiredKind, quantities: Record<string, number> = {}): ContractExpectation => ({ contractId, kind, quantities: new Map(Object.entries(quantities)) });

/** A converged world with every kind of contract; each test breaks one thing in it. */
function world() {
  const subs = [
    subscription(1, 'active'), // active, two products
    subscription(2, 'suspended'), // suspended after provisioning
    subscription(3, 'cancelled'), // cancelled
    subscription(4, 'suspended'), // not yet after provisioning
    subscription(6, 'active'), // held while active
    subscription(7, 'active'), // active, its IoT products gone
  ];
  const lics = [
    licence(1, 'CAM', 2, 'pending'),
    licence(1, 'SENSOR', 1, 'active'),
    licence(2, 'CAM', 1, 'blocked'),
    licence(3, 'CAM', 1, 'revoked'),
    licence(4, 'CAM', 1, 'blocked'),
    licence(6, 'CAM', 3, 'pending'),
    licence(7, 'CAM', 1, 'revoked'),
  ];
  const rows = lics.map((l) => rowOf(Number(/lic-(\d+)/.exec(l.id)![1]), l));
  const expectations = [
    expect_(1, 'active', { CAM: 2, SENSOR: 1 }),
    expect_(2, 'suspended', { CAM: 1 }),
    expect_(3, 'cancelled', { CAM: 1 }),
    expect_(4, 'not-yet', { CAM: 1 }),
    expect_(5, 'not-yet', { CAM: 1 }), // never provisioned: nothing
    expect_(6, 'hold', { CAM: 1 }), // held: the quantity changed, the platform keeps its 3
    expect_(7, 'active'),
    expect_(8, 'active'), // no IoT product, never provisioned
  ];
  const state = { customers: [], subscriptions: subs, licences: lics } as unknown as SandboxAdminState;
  const check = () => checkWorld(expectations, state, rows, T, new Set());
  return { subs, lics, rows, expectations, state, check };
}

describe('chaos oracle', () => {
  it('finds a converged world of every kind converged, and counts the kinds it checked', () => {
    const report = world().check();
    expect(report).toMatchObject({ contracts: 8, lost: 0, duplicates: 0, problems: [] });
    expect(report.checked).toEqual({ active: 3, suspended: 1, cancelled: 1, 'not-yet': 2, hold: 1 });
  });

  it.each([
    ['a revoked licence whose licencas_iot row was deleted instead of marked I', (w: ReturnType<typeof world>) => w.rows.splice(w.rows.findIndex((r) => r.id_licenca_integracao === 'lic-3-CAM-revoked'), 1), /contract 3 .*no licencas_iot row/],
    ['a revoked licence whose row was left P', (w: ReturnType<typeof world>) => (w.rows.find((r) => r.id_licenca_integracao === 'lic-3-CAM-revoked')!.status = 'P'), /contract 3 .*licencas_iot P/],
    ['a stale row of a licence no longer on the platform', (w: ReturnType<typeof world>) => w.rows.push({ id_contrato: 1, id_licenca_integracao: 'gone', id_assinatura_integracao: 'sub-1', status: 'P' }), /contract 1 .*1 licencas_iot row\(s\) of no licence/],
    ['a stray row with no licence id', (w: ReturnType<typeof world>) => w.rows.push({ id_contrato: 5, id_licenca_integracao: null, id_assinatura_integracao: null, status: 'P' }), /contract 5 .*of no licence/],
    ['a row naming another subscription', (w: ReturnType<typeof world>) => (w.rows[0]!.id_assinatura_integracao = 'sub-x'), /contract 1 .*subscription sub-x/],
    ['a held contract whose licence is blocked under an active subscription', (w: ReturnType<typeof world>) => { w.lics[5]!.status = 'blocked'; w.rows[5]!.status = 'B'; }, /contract 6 \(hold\).*blocked licence/],
    ['a held contract whose licence row says blocked while the platform says pending', (w: ReturnType<typeof world>) => (w.rows[5]!.status = 'B'), /contract 6 \(hold\).*licencas_iot B/],
    ['an active contract without IoT products whose subscription stayed suspended', (w: ReturnType<typeof world>) => (w.subs[5]!.status = 'suspended'), /contract 7 \(active\): subscription suspended/],
    ['an active contract without IoT products that kept a live licence', (w: ReturnType<typeof world>) => { w.lics[6]!.status = 'pending'; w.rows[6]!.status = 'P'; }, /contract 7 .*live licence\(s\) of products no longer/],
    ['a not-yet contract left active', (w: ReturnType<typeof world>) => { w.subs[3]!.status = 'active'; }, /contract 4 \(not-yet\): subscription active/],
    ['a not-yet contract provisioned although it never was', (w: ReturnType<typeof world>) => w.subs.push(subscription(5, 'active')), /contract 5 \(not-yet\)/],
    ['a cancelled contract whose subscription is still suspended', (w: ReturnType<typeof world>) => (w.subs[2]!.status = 'suspended'), /contract 3 \(cancelled\): subscription still suspended/],
    ['an active licence row written B', (w: ReturnType<typeof world>) => (w.rows[1]!.status = 'B'), /contract 1 .*licencas_iot B/],
  ])('finds %s', (_name, breakIt, problem) => {
    const w = world();
    breakIt(w);
    const report = w.check();
    expect(report.lost).toBe(1);
    expect(report.problems.join('\n')).toMatch(problem);
  });

  it('reads each kind from the contract row (DESIGN.md § State)', () => {
    expect([
      undefined,
      { id: 1, status: 'I', status_internet: 'A' },
      { id: 1, status: 'P', status_internet: 'A' },
      { id: 1, status: 'A', status_internet: 'AA' },
      { id: 1, status: 'A', status_internet: 'CM' },
      { id: 1, status: 'A', status_internet: 'A' },
      { id: 1, status: 'A', status_internet: null },
    ].map(desiredKind)).toEqual(['cancelled', 'cancelled', 'not-yet', 'not-yet', 'suspended', 'active', 'hold']);
  });
});
