import type { ContractMark } from '../handlers/work-set/work-set-mark';
import { sourceKey, type FanOutPlan, type FanOutSource } from './fan-out-plan';

/** The fan-out produces the work set's own marks: one shape from the event to the upsert. */
export type { ContractMark };

/** Runs a read-only query returning rows; the caller decides the connection and isolation level. */
export type Query = (sql: string, parameters: unknown[]) => Promise<unknown>;

const IN_CHUNK = 1000;

// Contracts whose plan is one of ? (plan-line changes reach every contract of the plan).
const CONTRACTS_OF_PLANS = 'SELECT id, id_vd_contrato AS ref FROM cliente_contrato WHERE id_vd_contrato IN (?)';
// Contracts holding one of the products ? on their own lines.
const CONTRACTS_WITH_PRODUCT_OWN_LINES =
  'SELECT DISTINCT id_contrato AS id, id_produto AS ref FROM vd_contratos_produtos WHERE id_produto IN (?) AND id_contrato > 0';
// Contracts holding one of the products ? through their plan's lines (id_contrato 0 or NULL).
const CONTRACTS_WITH_PRODUCT_PLAN_LINES = `SELECT DISTINCT c.id AS id, l.id_produto AS ref
  FROM vd_contratos_produtos l JOIN cliente_contrato c ON c.id_vd_contrato = l.id_vd_contrato
 WHERE l.id_produto IN (?) AND (l.id_contrato IS NULL OR l.id_contrato = 0) AND l.id_vd_contrato > 0`;
// Contracts of the customers ?.
const CONTRACTS_OF_CUSTOMERS = 'SELECT id, id_cliente AS ref FROM cliente_contrato WHERE id_cliente IN (?)';
// Contracts whose licences covered one of the deleted lines ? (tombstones carry only the key).
const CONTRACTS_OF_DELETED_LINES = `SELECT DISTINCT li.id_contrato AS id, lp.id_vd_contrato_produto AS ref
  FROM licencas_produtos_iot lp JOIN licencas_iot li ON li.id = lp.id_licenca_iot
 WHERE lp.id_vd_contrato_produto IN (?)`;

/**
 * Turns a fan-out plan into contract marks, in contract-id order (the marking statement takes
 * row locks in key order, which keeps concurrent batches from deadlocking). Plain SELECTs: run at
 * READ COMMITTED they take no locks on IXC rows.
 */
export async function resolveFanOut(query: Query, plan: FanOutPlan): Promise<ContractMark[]> {
  const marks = new Map(plan.contracts);
  // The change behind each contract's mark (the blast-radius guard's unit); a fan-out row's change wins over a direct row's.
  const changes = new Map<number, string>();
  for (const id of plan.contracts.keys()) {
    const key = plan.changeOf.get(sourceKey('contract', id));
    if (key !== undefined) changes.set(id, key);
  }
  const expand = async (sql: string, sources: Map<number, number>, source: FanOutSource | null): Promise<void> => {
    const ids = [...sources.keys()];
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const rows = (await query(sql, [ids.slice(i, i + IN_CHUNK)])) as Array<{ id: number | string; ref: number | string }>;
      for (const row of rows) {
        const id = Number(row.id);
        const priority = sources.get(Number(row.ref)) ?? 0;
        if (id <= 0) continue;
        marks.set(id, Math.max(marks.get(id) ?? priority, priority));
        const key = source === null ? undefined : plan.changeOf.get(sourceKey(source, Number(row.ref)));
        if (key !== undefined) changes.set(id, key);
      }
    }
  };
  await expand(CONTRACTS_OF_PLANS, plan.plans, 'plan');
  await expand(CONTRACTS_WITH_PRODUCT_OWN_LINES, plan.products, 'product');
  await expand(CONTRACTS_WITH_PRODUCT_PLAN_LINES, plan.products, 'product');
  await expand(CONTRACTS_OF_CUSTOMERS, plan.customers, 'customer');
  await expand(CONTRACTS_OF_DELETED_LINES, plan.deletedLines, null);
  return [...marks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([contractId, priority]) => {
      const change = plan.changes.get(changes.get(contractId) ?? '');
      return change === undefined ? { contractId, priority } : { contractId, priority, change };
    });
}
