import type { Kafka } from 'kafkajs';
import type mysql from 'mysql2/promise';
import { changeTopic } from '../src/consumers/change-topics';
import type { SandboxProcess } from '../test/helpers/sandbox-process';
import { createIxcWorld, makeCpf } from '../test/helpers/ixc-world';
import { waitFor } from '../test/helpers/wait-for';
import { readDeadLetters } from './read-dead-letters';

/** A valid CNPJ in the alphanumeric format (valid since July 2026): character value = ASCII - 48. */
export function makeAlphanumericCnpj(stem12: string): string {
  const values = [...stem12.toUpperCase()].map((c) => c.charCodeAt(0) - 48);
  const dv = (vals: number[]): number => {
    const weights = vals.map((_, i) => [2, 3, 4, 5, 6, 7, 8, 9][(vals.length - 1 - i) % 8]!);
    const sum = vals.reduce((acc, v, i) => acc + v * weights[i]!, 0);
    const rest = sum % 11;
    return rest < 2 ? 0 : 11 - rest;
  };
  const d1 = dv(values);
  const d2 = dv([...values, d1]);
  const c = `${stem12.toUpperCase()}${d1}${d2}`;
  return `${c.slice(0, 2)}.${c.slice(2, 5)}.${c.slice(5, 8)}/${c.slice(8, 12)}-${c.slice(12)}`;
}

export interface PoisonOptions {
  base: number;
  integrationId: number;
  tenant: string;
  syncSchema: string;
  topicPrefix: string;
  ixcDatabase: string;
  dlqTopic: string;
  /** Contracts on the plan whose product is linked, then unlinked. @defaultValue 5000 */
  bigContracts?: number;
  /** Of those, how many are active (provisioned, so the unlink revokes). @defaultValue 100 */
  bigActive?: number;
  /** The worker's BLAST_RADIUS_THRESHOLD. @defaultValue 50 */
  blastThreshold?: number;
  timeoutMs?: number;
}

export interface PoisonOutcome {
  events: number;
  faults_injected: number;
  /** Per odd contract: what the worker recorded. */
  contracts: Record<string, { contractId: number; parked_reason: string | null; last_error: string | null; last_outcome: string | null; platform: string }>;
  deadLetters: Array<{ originalOffset: string; errorClass: string; error: string }>;
  /** Offsets of the records that must be dead-lettered (undecodable) and of those that must not. */
  undecodableOffsets: string[];
  decodableOffsets: string[];
  big: { contracts: number; marked: number; provisioned: number; revoked: number; parked: number; parkedDetail: string | null; notYetTouched: number };
}

/** The CPF with wrong check digits the poison case writes (it must be masked everywhere too). */
export const INVALID_CPF = '123.456.789-00';

/** CPFs of the poison case's people (odd contracts and the plan's customers), for the leak search. */
export function poisonCpfs(base: number): string[] {
  const valid = [100, 101, 102, 105, 106].map((o) => makeCpf(base + o));
  const planCustomers = Array.from({ length: 100 }, (_, k) => makeCpf(base + 9000 + k));
  return [...valid, ...planCustomers, INVALID_CPF];
}

type Sql = Pick<mysql.Connection, 'query'>;

const ODD = {
  zeroDate: 100,
  emptyEnum: 101,
  formattedCpf: 102,
  invalidCpf: 103,
  alphanumericCnpj: 104,
  missingEmail: 105,
  bareCpf: 106,
} as const;

/**
 * Case 6: poison and odd input on a running worker of `integrationId`. Writes IXC rows with odd
 * values, sends undecodable and odd records straight to the change topics, links a product to
 * `bigContracts` contracts through their plan and unlinks it again; waits until the worker
 * recorded an outcome for each, and returns what it recorded (the caller asserts).
 */
export async function runPoisonCase(db: Sql, kafka: Kafka, sandbox: SandboxProcess, options: PoisonOptions): Promise<PoisonOutcome> {
  const { base, integrationId, tenant, syncSchema } = options;
  const bigCount = options.bigContracts ?? 5000;
  const bigActive = Math.min(options.bigActive ?? 100, bigCount);
  const timeoutMs = options.timeoutMs ?? 240_000;
  const world = createIxcWorld(db as mysql.Connection, base, integrationId);
  const P_ODD = base + 11;
  const P_BIG = base + 12;
  const PLAN = base + 2;
  const PLAN_BIG = base + 3;
  const PLAN_SENTINEL = base + 4;
  const BIG_FROM = base + 4000;
  const BIG_CUSTOMERS = base + 9000;
  let events = 0;
  const exec = async (sql: string, params: unknown[] = []): Promise<number> => {
    const [r] = await db.query(sql, params);
    return Number((r as { affectedRows?: number }).affectedRows ?? 0);
  };

  await world.product(P_ODD, 'Câmera IoT (poison)', 'OLLI-CAMERA');
  await world.product(P_BIG, 'Sensor de porta (poison, 5000)', null);
  await world.plan(PLAN, 'FIBRA (poison)');
  await world.plan(PLAN_BIG, 'FIBRA + SENSOR (poison, 5000)');
  await world.line(base + 2, { id_vd_contrato: PLAN_BIG, id_produto: P_BIG, qtde: 1 });
  // The sentinel's plan (see below), long before its contract: its line's fan-out finds no contract.
  await world.plan(PLAN_SENTINEL, 'FIBRA + CAMERA (poison sentinel)');
  await world.line(base + 3, { id_vd_contrato: PLAN_SENTINEL, id_produto: P_ODD, qtde: 1 });
  events += 7;

  // Odd IXC rows, each its own customer and contract with one line of the linked product.
  const oddCustomer = async (offset: number, fields: Parameters<typeof world.customer>[1]) => {
    await world.customer(base + offset, fields);
    await world.contract(base + offset, { id_cliente: base + offset, id_vd_contrato: PLAN });
    await world.line(base + offset, { id_contrato: base + offset, id_produto: P_ODD, qtde: 1 });
    events += 3;
  };
  await oddCustomer(ODD.formattedCpf, {});
  await oddCustomer(ODD.bareCpf, { cnpj_cpf: makeCpf(base + ODD.bareCpf).replace(/\D/g, '') });
  await oddCustomer(ODD.invalidCpf, { cnpj_cpf: INVALID_CPF });
  await oddCustomer(ODD.alphanumericCnpj, { cnpj_cpf: makeAlphanumericCnpj(`${String(base).slice(-2)}ABC${String(base).slice(-3)}0001`.slice(0, 12)), tipo_pessoa: 'J', razao: 'Empresa Alfanumérica (poison) Ltda' });
  await oddCustomer(ODD.missingEmail, { email: null });
  // Zero dates and an empty enum value need a permissive sql_mode, as old IXC data has them.
  await world.customer(base + ODD.zeroDate);
  await world.customer(base + ODD.emptyEnum);
  await db.query(`SET SESSION sql_mode = ''`);
  try {
    await exec(
      `INSERT INTO cliente_contrato (id, id_cliente, id_vd_contrato, status, status_internet, tipo, data, data_validade, id_tipo_contrato, id_modelo)
       VALUES (?, ?, ?, 'A', 'A', 'I', '0000-00-00', '0000-00-00', 1, 1), (?, ?, ?, 'A', '', 'I', CURDATE(), NULL, 1, 1)`,
      [base + ODD.zeroDate, base + ODD.zeroDate, PLAN, base + ODD.emptyEnum, base + ODD.emptyEnum, PLAN],
    );
  } finally {
    await db.query(`SET SESSION sql_mode = DEFAULT`);
  }
  await world.line(base + ODD.zeroDate, { id_contrato: base + ODD.zeroDate, id_produto: P_ODD, qtde: 1 });
  await world.line(base + ODD.emptyEnum, { id_contrato: base + ODD.emptyEnum, id_produto: P_ODD, qtde: 1 });
  events += 6;

  // Records straight into the change topics: two undecodable ones, and one from a table nobody watches.
  const topic = changeTopic(options.topicPrefix, options.ixcDatabase, 'cliente_contrato');
  const key = (id: number) => JSON.stringify({ id });
  const producer = kafka.producer();
  await producer.connect();
  const undecodableOffsets: string[] = [];
  const decodableOffsets: string[] = [];
  try {
    const send = async (id: number, value: string) => (await producer.send({ topic, messages: [{ key: key(id), value }] }))[0]!.baseOffset!;
    undecodableOffsets.push(await send(base + 9991, 'this is not json {'));
    undecodableOffsets.push(await send(base + 9992, JSON.stringify({ op: 'x', before: null, after: { id: base + 9992 }, source: { table: 'cliente_contrato', db: options.ixcDatabase } })));
    decodableOffsets.push(
      await send(base + 9993, JSON.stringify({ op: 'c', before: null, after: { id: base + 9993, login: 'x' }, source: { table: 'radusuarios', db: options.ixcDatabase, ts_ms: Date.now() }, ts_ms: Date.now() })),
    );
    // Tombstones let compaction drop the odd records from the shared topic.
    await producer.send({ topic, messages: [9991, 9992, 9993].map((o) => ({ key: key(base + o), value: null })) });
  } finally {
    await producer.disconnect();
  }
  events += 6;

  // A product linked to every contract of a plan of `bigCount` contracts (most of them pre-contracts).
  const bigIds = Array.from({ length: bigCount }, (_, i) => BIG_FROM + i);
  for (let k = 0; k < Math.min(100, bigCount); k += 1) await world.customer(BIG_CUSTOMERS + k);
  events += Math.min(100, bigCount);
  for (let i = 0; i < bigIds.length; i += 1000) {
    const chunk = bigIds.slice(i, i + 1000);
    events += await exec(
      `INSERT INTO cliente_contrato (id, id_cliente, id_vd_contrato, status, status_internet, tipo, data, id_tipo_contrato, id_modelo) VALUES ?`,
      [chunk.map((id) => [id, BIG_CUSTOMERS + ((id - BIG_FROM) % 100), PLAN_BIG, id - BIG_FROM < bigActive ? 'A' : 'P', 'A', 'I', new Date().toISOString().slice(0, 10), 1, 1])],
    );
  }
  const syncRows = async (where: string, params: unknown[]) => {
    const [rows] = await db.query(`SELECT COUNT(*) AS n FROM \`${syncSchema}\`.contract_sync WHERE ${where}`, params);
    return Number((rows as Array<{ n: number }>)[0]?.n ?? 0);
  };
  // Let the worker see the contracts before the link, so the link is one change that fans out.
  // They have no IoT line yet, so the worker marks none of them (issue 18): a pre-contract inserted
  // after them, on a plan with an IoT line, is marked by its own record, which comes after theirs.
  const SENTINEL = BIG_FROM - 1;
  await world.contract(SENTINEL, { id_cliente: BIG_CUSTOMERS, id_vd_contrato: PLAN_SENTINEL, status: 'P', status_internet: 'AA' });
  events += 1;
  await waitFor(async () => (await syncRows('contract_id = ? AND dirty = 0', [SENTINEL])) === 1, {
    timeoutMs,
    intervalMs: 500,
    what: `the worker past the ${bigCount} plan contracts before the link`,
  });
  events += await exec('UPDATE produtos SET id_integracao_iot = ?, id_produto_iot = ? WHERE id = ?', [integrationId, 'OLLI-SENSOR-PORTA', P_BIG]);

  const state = () => sandbox.admin.state();
  const liveBig = async () => {
    const s = await state();
    return s.licences.filter((l) => {
      const m = new RegExp(`^ixc:${tenant}:contrato:(\\d+):produto:OLLI-SENSOR-PORTA`).exec(l.external_id ?? '');
      return m && Number(m[1]) >= BIG_FROM && Number(m[1]) < BIG_FROM + bigCount;
    });
  };
  await waitFor(async () => (await liveBig()).filter((l) => l.status !== 'revoked').length === bigActive, { timeoutMs, intervalMs: 500, what: `${bigActive} sensor licences after the link` });
  // Every contract of the plan is marked by the link (none was before it) and reconciled.
  await waitFor(async () => (await syncRows('contract_id BETWEEN ? AND ? AND dirty = 0', [BIG_FROM, BIG_FROM + bigCount - 1])) === bigCount, {
    timeoutMs,
    intervalMs: 500,
    what: `all ${bigCount} contracts reconciled after the link`,
  });
  const marked = await syncRows('contract_id BETWEEN ? AND ?', [BIG_FROM, BIG_FROM + bigCount - 1]);
  const provisioned = (await liveBig()).length;

  // Unlinked again: one change above the threshold, held whole (nothing revoked).
  events += await exec('UPDATE produtos SET id_integracao_iot = NULL, id_produto_iot = NULL WHERE id = ?', [P_BIG]);
  const parkedWhere = `contract_id BETWEEN ? AND ? AND parked_reason = 'awaiting_confirmation'`;
  await waitFor(
    async () => {
      const revoked = (await liveBig()).filter((l) => l.status === 'revoked').length;
      const parked = await syncRows(parkedWhere, [BIG_FROM, BIG_FROM + bigCount - 1]);
      const pending = await syncRows('contract_id BETWEEN ? AND ? AND dirty = 1 AND parked_reason IS NULL', [BIG_FROM, BIG_FROM + bigCount - 1]);
      return revoked + parked >= bigActive && pending === 0;
    },
    { timeoutMs, intervalMs: 500, what: 'the unlink to revoke up to the threshold and park the rest' },
  );
  const [detailRows] = await db.query(`SELECT parked_detail FROM \`${syncSchema}\`.contract_sync WHERE ${parkedWhere} LIMIT 1`, [BIG_FROM, BIG_FROM + bigCount - 1]);
  const revokedNow = (await liveBig()).filter((l) => l.status === 'revoked').length;
  const notYetTouched = (await state()).subscriptions.filter((s) => {
    const m = new RegExp(`^ixc:${tenant}:contrato:(\\d+)`).exec(s.external_id ?? '');
    return m && Number(m[1]) >= BIG_FROM + bigActive && Number(m[1]) < BIG_FROM + bigCount;
  }).length;

  // Every odd contract ends with an outcome recorded.
  const oddIds = Object.values(ODD).map((o) => base + o);
  await waitFor(async () => (await syncRows('contract_id IN (?) AND dirty = 0 AND last_outcome IS NOT NULL', [oddIds])) === oddIds.length || (await syncRows('contract_id IN (?) AND (dirty = 0 OR parked_reason IS NOT NULL)', [oddIds])) === oddIds.length, {
    timeoutMs,
    intervalMs: 500,
    what: 'an outcome for every odd contract',
  });
  const [oddRows] = await db.query(`SELECT contract_id, parked_reason, last_error, last_outcome FROM \`${syncSchema}\`.contract_sync WHERE contract_id IN (?)`, [oddIds]);
  const s = await state();
  const contracts: PoisonOutcome['contracts'] = {};
  for (const [name, offset] of Object.entries(ODD)) {
    const row = (oddRows as Array<{ contract_id: number; parked_reason: string | null; last_error: string | null; last_outcome: string | null }>).find((r) => Number(r.contract_id) === base + offset);
    const sub = s.subscriptions.find((x) => x.external_id === `ixc:${tenant}:contrato:${base + offset}`);
    contracts[name] = { contractId: base + offset, parked_reason: row?.parked_reason ?? null, last_error: row?.last_error ?? null, last_outcome: row?.last_outcome ?? null, platform: sub?.status ?? 'none' };
  }

  const letters = await readDeadLetters(kafka, options.dlqTopic);
  const ours = letters.filter((l) => l.originalTopic === topic && [...undecodableOffsets, ...decodableOffsets].includes(l.originalOffset));
  return {
    events,
    faults_injected: undecodableOffsets.length + decodableOffsets.length + Object.keys(ODD).length + 2,
    contracts,
    deadLetters: ours.map((l) => ({ originalOffset: l.originalOffset, errorClass: l.errorClass, error: l.error })),
    undecodableOffsets,
    decodableOffsets,
    big: {
      contracts: bigCount,
      marked,
      provisioned,
      revoked: revokedNow,
      parked: await syncRows(parkedWhere, [BIG_FROM, BIG_FROM + bigCount - 1]),
      parkedDetail: (detailRows as Array<{ parked_detail: string | null }>)[0]?.parked_detail ?? null,
      notYetTouched,
    },
  };
}
