/**
 * The scale bench's IXC (issue 18): N contracts shaped like a large ISP's, about 10 % of them with
 * IoT lines. Deterministic for a seed. See docs/benchmarks.md § Scale.
 */
import type { ContractRow, LineRow } from './workload';
import { createRandom, PLATFORM_PRODUCTS } from './workload';

export interface ScaleProduct {
  id: number;
  name: string;
  /** The platform product it is linked to at load time; null for the ISP's other products. */
  platformProductId: string | null;
}

export interface ScaleWorkload {
  n: number;
  products: ScaleProduct[];
  plans: Array<{ id: number; name: string }>;
  /** Plan template lines (id_contrato 0). */
  planLines: LineRow[];
  customers: number[];
  contracts: ContractRow[];
  /** Own lines, three per contract. */
  lines: LineRow[];
  /** The product phase 3 links (on N / 10 contracts' own lines, unlinked at load). */
  catalogueProduct: { id: number; platformProductId: string };
  /** A non-IoT contract, its customer and one of its lines, for the lock probes. */
  probe: { contract: number; customer: number; line: number; product: number };
}

const BASE = 1_000_000;
/** Contract states: most active; the rest over the decision table's rows. */
const STATES: Array<[number, { status: string; status_internet: string }]> = [
  [0.86, { status: 'A', status_internet: 'A' }],
  [0.04, { status: 'A', status_internet: 'CM' }],
  [0.03, { status: 'A', status_internet: 'FA' }],
  [0.03, { status: 'I', status_internet: 'D' }],
  [0.02, { status: 'P', status_internet: 'AA' }],
  [0.02, { status: 'N', status_internet: 'A' }],
];

export function buildScaleWorkload(n: number, seed = 18): ScaleWorkload {
  const rnd = createRandom(seed);
  const casa = BASE + 1;
  const camera = BASE + 2;
  const sensor = BASE + 3;
  const mesh = BASE + 4;
  const products: ScaleProduct[] = [
    { id: casa, name: 'Casa Inteligente', platformProductId: PLATFORM_PRODUCTS.casa },
    { id: camera, name: 'Câmera IoT', platformProductId: PLATFORM_PRODUCTS.camera },
    { id: sensor, name: 'Sensor de porta', platformProductId: PLATFORM_PRODUCTS.sensor },
    { id: mesh, name: 'Kit sensor Wi-Fi (vendido à parte)', platformProductId: null },
  ];
  // The ISP's other products: internet speeds, router rental, fixed IP, TV, phone.
  const internet = Array.from({ length: 8 }, (_, i) => BASE + 10 + i);
  const extras = Array.from({ length: 6 }, (_, i) => BASE + 30 + i);
  for (const id of internet) products.push({ id, name: `FIBRA ${(id - BASE - 9) * 100} MEGA`, platformProductId: null });
  for (const id of extras) products.push({ id, name: `Serviço ${id - BASE - 29}`, platformProductId: null });

  // 40 plans shared by every contract; plans 1-2 carry Casa Inteligente on a template line.
  const plans = Array.from({ length: 40 }, (_, i) => ({ id: BASE + 1 + i, name: `PLANO ${i + 1}${i < 2 ? ' + CASA' : ''}` }));
  const planLines: LineRow[] = plans.map((p, i) => ({ id: BASE + 1 + i, id_contrato: 0, id_vd_contrato: p.id, id_produto: internet[i % internet.length]!, qtde: 1 }));
  planLines.push({ id: BASE + 101, id_contrato: 0, id_vd_contrato: plans[0]!.id, id_produto: casa, qtde: 1 });
  planLines.push({ id: BASE + 102, id_contrato: 0, id_vd_contrato: plans[1]!.id, id_produto: casa, qtde: 1 });

  const contracts: ContractRow[] = [];
  const customers: number[] = [];
  const lines: LineRow[] = [];
  let nextLine = BASE + 1000;
  const meshEvery = 10;
  for (let i = 0; i < n; i += 1) {
    const id = BASE + 1 + i;
    // About 0.9 customers per contract: one contract in nine goes to a recent customer.
    const reuse = customers.length > 0 && rnd() < 1 / 9;
    const customer = reuse ? customers[Math.max(0, customers.length - 1 - Math.floor(rnd() * 500))]! : id;
    if (!reuse) customers.push(id);
    let r = rnd();
    let state = STATES[0]![1];
    for (const [share, s] of STATES) {
      if (r < share) {
        state = s;
        break;
      }
      r -= share;
    }
    // 5 % on the two Casa plans, 5 % with an own IoT line (some overlap): about 10 % IoT.
    const plan = rnd() < 0.05 ? plans[Math.floor(rnd() * 2)]! : plans[2 + Math.floor(rnd() * 38)]!;
    const ownIot = rnd() < 0.05;
    contracts.push({ id, id_cliente: customer, id_vd_contrato: plan.id, ...state });
    const third = i % meshEvery === 3 ? mesh : ownIot ? (rnd() < 0.6 ? camera : sensor) : extras[Math.floor(rnd() * extras.length)]!;
    const second = ownIot && third === mesh ? camera : extras[Math.floor(rnd() * extras.length)]!;
    for (const product of [internet[Math.floor(rnd() * internet.length)]!, second, third]) {
      const iot = product === camera || product === sensor;
      lines.push({ id: nextLine++, id_contrato: id, id_vd_contrato: 0, id_produto: product, qtde: iot ? 1 + Math.floor(rnd() * 3) : 1 });
    }
  }
  const probeContract = contracts.find((c, i) => i % meshEvery !== 3 && !isIotContract(c, lines, planLines, products))!;
  const probeLine = lines.find((l) => l.id_contrato === probeContract.id)!;
  return {
    n,
    products,
    plans,
    planLines,
    customers,
    contracts,
    lines,
    catalogueProduct: { id: mesh, platformProductId: PLATFORM_PRODUCTS.sensor },
    probe: { contract: probeContract.id, customer: probeContract.id_cliente, line: probeLine.id, product: extras[0]! },
  };
}

function isIotContract(c: ContractRow, lines: readonly LineRow[], planLines: readonly LineRow[], products: readonly ScaleProduct[]): boolean {
  const linked = new Set(products.filter((p) => p.platformProductId !== null).map((p) => p.id));
  return (
    planLines.some((l) => l.id_vd_contrato === c.id_vd_contrato && linked.has(l.id_produto)) ||
    lines.some((l) => l.id_contrato === c.id && linked.has(l.id_produto))
  );
}

/** Contract → platform product → quantity, for contracts with IoT lines under `linked` (IXC product → platform product). */
export type IotLines = Map<number, Map<string, number>>;

export function iotLinesOf(w: ScaleWorkload, linked: ReadonlyMap<number, string>): IotLines {
  const planItems = new Map<number, Array<[string, number]>>();
  for (const l of w.planLines) {
    const p = linked.get(l.id_produto);
    if (p) planItems.set(l.id_vd_contrato, [...(planItems.get(l.id_vd_contrato) ?? []), [p, l.qtde]]);
  }
  const out: IotLines = new Map();
  const add = (contract: number, product: string, qtde: number) => {
    const m = out.get(contract) ?? new Map<string, number>();
    m.set(product, (m.get(product) ?? 0) + qtde);
    out.set(contract, m);
  };
  const planOf = new Map(w.contracts.map((c) => [c.id, c.id_vd_contrato]));
  for (const c of w.contracts) for (const [p, q] of planItems.get(c.id_vd_contrato) ?? []) add(c.id, p, q);
  for (const l of w.lines) {
    const p = linked.get(l.id_produto);
    if (p && planOf.has(l.id_contrato)) add(l.id_contrato, p, l.qtde);
  }
  return out;
}

export function initialLinks(w: ScaleWorkload): Map<number, string> {
  return new Map(w.products.filter((p) => p.platformProductId !== null).map((p) => [p.id, p.platformProductId!]));
}

/**
 * The platform as the fewest calls leave it, and the calls a step needs (iot-platform-api.md;
 * DESIGN § Decisions: nothing is created only to be suspended or cancelled). A customer not yet
 * on the platform costs the searches its find-or-create requires (document, then e-mail) and a
 * create; a new subscription one create and one licence create per product; a changed quantity
 * one update; a status change one call, and one per licence it blocks or unblocks.
 */
export interface PlatformModel {
  customers: Set<number>;
  /** Contract → subscription status and licence quantities. */
  subscriptions: Map<number, { status: 'active' | 'suspended'; blocked?: boolean; licences: Map<string, number> }>;
}

export interface StepCalls {
  customerFinds: number;
  customerCreates: number;
  subscriptionCreates: number;
  licenceCreates: number;
  licenceUpdates: number;
  licenceRevokes: number;
  /** Subscription status calls (suspend, reactivate). */
  statusChanges: number;
  /** Licence status calls: a suspension blocks each licence, a reactivation unblocks it. */
  licenceStatusChanges: number;
  total: number;
}

const isActive = (c: ContractRow) => c.status === 'A' && c.status_internet === 'A';

/**
 * Applies the contracts' current rows and IoT lines to the model; returns the calls that took
 * (the planner's rules: src/handlers/plan/plan-reconcile.ts — a suspended subscription keeps its
 * live licences, blocked, and gains none).
 */
export function applyStep(model: PlatformModel, contracts: Iterable<ContractRow>, iot: IotLines): StepCalls {
  const calls = { customerFinds: 0, customerCreates: 0, subscriptionCreates: 0, licenceCreates: 0, licenceUpdates: 0, licenceRevokes: 0, statusChanges: 0, licenceStatusChanges: 0, total: 0 };
  for (const c of contracts) {
    const want = iot.get(c.id);
    const sub = model.subscriptions.get(c.id);
    if (!sub) {
      if (!want || !isActive(c)) continue;
      if (!model.customers.has(c.id_cliente)) {
        model.customers.add(c.id_cliente);
        calls.customerFinds += 2;
        calls.customerCreates += 1;
      }
      calls.subscriptionCreates += 1;
      calls.licenceCreates += want.size;
      model.subscriptions.set(c.id, { status: 'active', licences: new Map(want) });
      continue;
    }
    const status = isActive(c) && want ? 'active' : 'suspended';
    if (status !== sub.status) {
      calls.statusChanges += 1;
      sub.status = status;
    }
    for (const [product, q] of [...sub.licences]) {
      const wanted = want?.get(product);
      if (wanted === undefined) {
        calls.licenceRevokes += 1;
        sub.licences.delete(product);
      } else if (wanted !== q) {
        calls.licenceUpdates += 1;
        sub.licences.set(product, wanted);
      }
    }
    if (status === 'active') {
      for (const [product, q] of want ?? []) {
        if (!sub.licences.has(product)) {
          calls.licenceCreates += 1;
          sub.licences.set(product, q);
        }
      }
    }
    const blocked = status === 'suspended';
    if ((sub.blocked ?? false) !== blocked) {
      calls.licenceStatusChanges += sub.licences.size;
      sub.blocked = blocked;
    }
  }
  calls.total =
    calls.customerFinds + calls.customerCreates + calls.subscriptionCreates + calls.licenceCreates + calls.licenceUpdates + calls.licenceRevokes + calls.statusChanges + calls.licenceStatusChanges;
  return calls;
}
