import { contractSyncTable } from '../handlers/work-set/sql-helpers';
import type { Query } from './resolve-fan-out';

const IN_CHUNK = 1000;

/**
 * The contracts among ? that have an IoT line now or had IoT before; one statement, four index
 * lookups. Parameters: (ids, ids, ids, ids).
 * - an own line (`id_contrato`) or a line of the contract's plan (`id_contrato` 0/NULL) whose
 *   product is linked to a platform product (any integration, active or not: a superset of what
 *   effectiveIotLines keeps, so nothing the reconcile would provision is dropped);
 * - a row in IXC's `licencas_iot` (something was provisioned, even if the sync schema was lost);
 * - a work-set row that is pending, leased or parked, or that recorded an intent or a subscription
 *   (the same "provisioned" the daily verify resync uses): whatever was provisioned is still
 *   cancelled or suspended when its lines or its status go.
 * A contract whose product is linked later is found then: the catalogue fan-out reads the lines,
 * not this filter, and the link is committed before its event is consumed.
 */
const IOT_RELEVANT_SQL = (syncTable: string) => `SELECT l.id_contrato AS id
  FROM vd_contratos_produtos l JOIN produtos p ON p.id = l.id_produto
 WHERE l.id_contrato IN (?) AND p.id_produto_iot IS NOT NULL AND p.id_produto_iot <> ''
UNION
SELECT c.id
  FROM cliente_contrato c
  JOIN vd_contratos_produtos l ON l.id_vd_contrato = c.id_vd_contrato AND (l.id_contrato = 0 OR l.id_contrato IS NULL)
  JOIN produtos p ON p.id = l.id_produto
 WHERE c.id IN (?) AND c.id_vd_contrato > 0 AND p.id_produto_iot IS NOT NULL AND p.id_produto_iot <> ''
UNION
SELECT id_contrato FROM licencas_iot WHERE id_contrato IN (?)
UNION
SELECT contract_id FROM ${syncTable}
 WHERE contract_id IN (?)
   AND (dirty = 1 OR lease_owner IS NOT NULL OR parked_reason IS NOT NULL OR subscription_ref IS NOT NULL OR intent IS NOT NULL)`;

/**
 * Which of `contractIds` have or had IoT lines (see IOT_RELEVANT_SQL). A change to any other
 * contract needs no reconcile and no API call: at 10 % IoT contracts this keeps a snapshot or a
 * billing run from costing ten reconciles per useful one. Read-only, at the caller's isolation.
 */
export async function iotRelevantContracts(query: Query, syncSchema: string, contractIds: readonly number[]): Promise<Set<number>> {
  const relevant = new Set<number>();
  const sql = IOT_RELEVANT_SQL(contractSyncTable(syncSchema));
  for (let i = 0; i < contractIds.length; i += IN_CHUNK) {
    const chunk = contractIds.slice(i, i + IN_CHUNK);
    const rows = (await query(sql, [chunk, chunk, chunk, chunk])) as Array<{ id: number | string }>;
    for (const row of rows) relevant.add(Number(row.id));
  }
  return relevant;
}
