/**
 * The drain workload: IXC rows for C contracts (their final state, loaded into MariaDB) and N
 * Debezium-format events on them (snapshot reads, status changes, lines added and changed,
 * redelivered duplicates). Deterministic for a seed. The last event touching a row carries the
 * row's final values, as Debezium's would.
 */

export const PLATFORM_PRODUCTS = { casa: 'OLLI-CASA-INTELIGENTE', camera: 'OLLI-CAMERA', sensor: 'OLLI-SENSOR-PORTA' } as const;

export interface WorkloadOptions {
  contracts: number;
  events: number;
  /** First IXC id used (contracts, customers, lines, plans and products live above it). */
  base: number;
  seed: number;
}

export interface ContractRow {
  id: number;
  id_cliente: number;
  id_vd_contrato: number;
  status: string;
  status_internet: string;
}

export interface LineRow {
  id: number;
  id_contrato: number;
  id_vd_contrato: number;
  id_produto: number;
  qtde: number;
}

export interface Workload {
  products: Array<{ id: number; name: string; platformProductId: string }>;
  plans: Array<{ id: number; name: string }>;
  /** Plan lines (id_contrato 0). */
  planLines: LineRow[];
  customers: number[];
  contracts: ContractRow[];
  /** Contract lines (final state). */
  lines: LineRow[];
  events: BenchEvent[];
}

export type BenchTable = 'cliente_contrato' | 'vd_contratos_produtos';

/** One Debezium record before rendering: table, op and the row values that change (the rest is the stored row). */
export interface BenchEvent {
  contractId: number;
  table: BenchTable;
  op: 'r' | 'c' | 'u';
  rowId: number;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
  duplicate: boolean;
}

/** A small deterministic PRNG (mulberry32). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Final contract states and their shares: most active, the rest spread over the decision table's rows. */
const FINAL_STATES: Array<[number, { status: string; status_internet: string }]> = [
  [0.7, { status: 'A', status_internet: 'A' }],
  [0.08, { status: 'A', status_internet: 'CM' }],
  [0.05, { status: 'N', status_internet: 'A' }],
  [0.05, { status: 'I', status_internet: 'A' }],
  [0.05, { status: 'P', status_internet: 'AA' }],
  [0.07, { status: 'A', status_internet: 'FA' }],
];
const INTERMEDIATE_STATES = [
  { status: 'A', status_internet: 'A' },
  { status: 'A', status_internet: 'CM' },
  { status: 'A', status_internet: 'FA' },
  { status: 'P', status_internet: 'AA' },
];

export function buildWorkload(options: WorkloadOptions): Workload {
  const rnd = createRandom(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const { base, contracts: count } = options;
  const products = [
    { id: base + 1, name: 'Casa Inteligente (bench)', platformProductId: PLATFORM_PRODUCTS.casa },
    { id: base + 2, name: 'Câmera IoT (bench)', platformProductId: PLATFORM_PRODUCTS.camera },
    { id: base + 3, name: 'Sensor de porta (bench)', platformProductId: PLATFORM_PRODUCTS.sensor },
  ];
  const [casa, camera, sensor] = products.map((p) => p.id) as [number, number, number];
  // Plan 1: internet + Casa Inteligente; plan 2: internet only; plan 3: internet + one camera.
  const plans = [
    { id: base + 1, name: 'FIBRA + CASA (bench)' },
    { id: base + 2, name: 'FIBRA (bench)' },
    { id: base + 3, name: 'FIBRA + CAMERA (bench)' },
  ];
  const planLines: LineRow[] = [
    { id: base + 1, id_contrato: 0, id_vd_contrato: base + 1, id_produto: casa, qtde: 1 },
    { id: base + 2, id_contrato: 0, id_vd_contrato: base + 3, id_produto: camera, qtde: 1 },
  ];

  const contracts: ContractRow[] = [];
  const customers: number[] = [];
  const lines: LineRow[] = [];
  const contractBase = base + 1000;
  const lineBase = base + 100_000;
  let nextLine = lineBase;
  for (let i = 0; i < count; i += 1) {
    const id = contractBase + i;
    // Every fifth contract belongs to the previous contract's customer (customers with two contracts).
    const customer = i % 5 === 4 ? (contracts[i - 1]?.id_cliente ?? id) : id;
    if (customer === id) customers.push(id);
    let r = rnd();
    let final = FINAL_STATES[0]![1];
    for (const [share, state] of FINAL_STATES) {
      if (r < share) {
        final = state;
        break;
      }
      r -= share;
    }
    const planRoll = rnd();
    const plan = planRoll < 0.5 ? plans[0]! : planRoll < 0.8 ? plans[1]! : plans[2]!;
    contracts.push({ id, id_cliente: customer, id_vd_contrato: plan.id, ...final });
    // 0-2 own lines: cameras and door sensors.
    const own = Math.floor(rnd() * 3);
    for (let l = 0; l < own; l += 1) {
      const product = l === 0 ? camera : sensor;
      lines.push({ id: nextLine++, id_contrato: id, id_vd_contrato: 0, id_produto: product, qtde: 1 + Math.floor(rnd() * 3) });
    }
  }

  const events = buildEvents(options, contracts, lines, rnd, pick);
  return { products, plans, planLines, customers, contracts, lines, events };
}

function buildEvents(
  options: WorkloadOptions,
  contracts: ContractRow[],
  lines: LineRow[],
  rnd: () => number,
  pick: <T>(xs: readonly T[]) => T,
): BenchEvent[] {
  const linesOf = new Map<number, LineRow[]>();
  for (const line of lines) linesOf.set(line.id_contrato, [...(linesOf.get(line.id_contrato) ?? []), line]);
  const perContract = Math.floor(options.events / contracts.length);
  let extra = options.events - perContract * contracts.length;
  const streams: BenchEvent[][] = [];
  for (const contract of contracts) {
    const target = perContract + (extra-- > 0 ? 1 : 0);
    const own = linesOf.get(contract.id) ?? [];
    const stream: BenchEvent[] = [];
    const contractState = (s: { status: string; status_internet: string }) => ({ ...contract, ...s });
    let current: Record<string, unknown> = contractState(pick(INTERMEDIATE_STATES));
    // The snapshot read of the contract (a replay or a connector snapshot).
    stream.push({ contractId: contract.id, table: 'cliente_contrato', op: 'r', rowId: contract.id, before: null, after: current, duplicate: false });
    const lineState = new Map<number, Record<string, unknown>>();
    for (const line of own) {
      if (stream.length >= target) break;
      const after = { ...line, qtde: 1 };
      lineState.set(line.id, after);
      stream.push({ contractId: contract.id, table: 'vd_contratos_produtos', op: 'c', rowId: line.id, before: null, after, duplicate: false });
    }
    while (stream.length < target) {
      const roll = rnd();
      const last = stream[stream.length - 1]!;
      if (roll < 0.15 && !last.duplicate) {
        // At-least-once redelivery: the same record again, right after the original.
        stream.push({ ...last, duplicate: true });
      } else if (roll < 0.6 || lineState.size === 0) {
        const after = contractState(pick(INTERMEDIATE_STATES));
        stream.push({ contractId: contract.id, table: 'cliente_contrato', op: 'u', rowId: contract.id, before: current, after, duplicate: false });
        current = after;
      } else {
        const lineId = pick([...lineState.keys()]);
        const before = lineState.get(lineId)!;
        const after = { ...before, qtde: 1 + Math.floor(rnd() * 3) };
        lineState.set(lineId, after);
        stream.push({ contractId: contract.id, table: 'vd_contratos_produtos', op: 'u', rowId: lineId, before, after, duplicate: false });
      }
    }
    // The last record touching each row carries the row's final values.
    const finals = new Map<string, Record<string, unknown>>([[`cliente_contrato:${contract.id}`, { ...contract }]]);
    for (const line of own) finals.set(`vd_contratos_produtos:${line.id}`, { ...line });
    const keyOf = (e: BenchEvent) => `${e.table}:${e.rowId}`;
    const lastIndex = new Map<string, number>();
    stream.forEach((event, i) => {
      if (!event.duplicate) lastIndex.set(keyOf(event), i);
    });
    for (const [key, i] of lastIndex) {
      const final = finals.get(key);
      if (final) stream[i] = { ...stream[i]!, after: { ...stream[i]!.after, ...final } };
    }
    for (let i = 1; i < stream.length; i += 1) {
      if (stream[i]!.duplicate) stream[i] = { ...stream[i - 1]!, duplicate: true };
    }
    streams.push(stream);
  }
  return interleave(streams, rnd);
}

/** Merges per-contract streams in random order, keeping each contract's own order. */
function interleave(streams: BenchEvent[][], rnd: () => number): BenchEvent[] {
  const out: BenchEvent[] = [];
  const cursors = streams.map(() => 0);
  const live = streams.map((_, i) => i);
  while (live.length > 0) {
    const slot = Math.floor(rnd() * live.length);
    const s = live[slot]!;
    out.push(streams[s]![cursors[s]!]!);
    cursors[s]! += 1;
    if (cursors[s]! >= streams[s]!.length) {
      live[slot] = live[live.length - 1]!;
      live.pop();
    }
  }
  return out;
}
