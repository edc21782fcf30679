import type { EntityManager } from 'typeorm';
import { Cliente, ClienteContrato } from '../../entities';
import type { ContractSource } from '../desired/desired-state';
import type { LineRow, ProductRow } from '../desired/effective-lines';

/**
 * The contracts' own lines and their plans' template lines (`id_contrato` 0/NULL), each with its
 * product, in one round trip; each half uses its own IXC index. Parameters: (contractIds, planIds).
 */
const LINES_SQL = `SELECT l.id, l.id_vd_contrato, l.id_contrato, l.id_produto, l.qtde, l.descricao, l.id_contrato_produto_plano,
       p.id AS p_id, p.descricao AS p_descricao, p.ativo AS p_ativo, p.id_integracao_iot AS p_id_integracao_iot, p.id_produto_iot AS p_id_produto_iot
  FROM vd_contratos_produtos l LEFT JOIN produtos p ON p.id = l.id_produto
 WHERE l.id_contrato IN (?)
UNION ALL
SELECT l.id, l.id_vd_contrato, l.id_contrato, l.id_produto, l.qtde, l.descricao, l.id_contrato_produto_plano,
       p.id, p.descricao, p.ativo, p.id_integracao_iot, p.id_produto_iot
  FROM vd_contratos_produtos l LEFT JOIN produtos p ON p.id = l.id_produto
 WHERE l.id_vd_contrato IN (?) AND (l.id_contrato = 0 OR l.id_contrato IS NULL)`;

interface LineWithProduct {
  id: number;
  id_vd_contrato: number | null;
  id_contrato: number | null;
  id_produto: number | null;
  qtde: number | string;
  descricao: string | null;
  id_contrato_produto_plano: number | null;
  p_id: number | null;
  p_descricao: string | null;
  p_ativo: string | null;
  p_id_integracao_iot: number | string | null;
  p_id_produto_iot: string | null;
}

const nullableNumber = (v: number | string | null): number | null => (v === null ? null : Number(v));

/**
 * Reads IXC's rows for one contract as they are now (principle 1: state decides): the contract,
 * its customer, its own and its plan's product lines, and their products. Read-only.
 */
export async function loadContractSource(manager: EntityManager, contractId: number): Promise<ContractSource> {
  return (await loadContractSources(manager, [contractId])).get(contractId) ?? emptySource(contractId);
}

/** `loadContractSource` for many contracts in two statements, whatever their number. */
export async function loadContractSources(manager: EntityManager, contractIds: readonly number[]): Promise<Map<number, ContractSource>> {
  const sources = new Map<number, ContractSource>();
  if (contractIds.length === 0) return sources;
  const contracts = (await manager
    .createQueryBuilder(ClienteContrato, 'c')
    .leftJoinAndMapOne('c.cliente', Cliente, 'cl', 'cl.id = c.idCliente')
    .where('c.id IN (:...contractIds)', { contractIds })
    .getMany()) as Array<ClienteContrato & { cliente?: Cliente }>;
  const planIds = [...new Set(contracts.map((c) => c.idVdContrato).filter((id) => id > 0))];
  const rows = contracts.length === 0 ? [] : ((await manager.query(LINES_SQL, [contracts.map((c) => c.id), planIds.length > 0 ? planIds : [-1]])) as LineWithProduct[]);
  const own = new Map<number, LineWithProduct[]>();
  const template = new Map<number, LineWithProduct[]>();
  for (const row of rows) {
    const contractOwn = row.id_contrato !== null && Number(row.id_contrato) !== 0;
    const key = contractOwn ? Number(row.id_contrato) : Number(row.id_vd_contrato);
    const into = contractOwn ? own : template;
    const list = into.get(key) ?? [];
    list.push(row);
    into.set(key, list);
  }
  for (const contract of contracts) {
    const plan = contract.idVdContrato > 0 ? (template.get(contract.idVdContrato) ?? []) : [];
    sources.set(contract.id, toSource(contract, [...(own.get(contract.id) ?? []), ...plan]));
  }
  for (const id of contractIds) if (!sources.has(id)) sources.set(id, emptySource(id));
  return sources;
}

function emptySource(contractId: number): ContractSource {
  return { contractId, contract: null, cliente: null, lines: [], products: new Map() };
}

function toSource(contract: ClienteContrato & { cliente?: Cliente }, rows: readonly LineWithProduct[]): ContractSource {
  const byId = new Map<number, LineRow>();
  const products = new Map<number, ProductRow>();
  for (const row of rows) {
    byId.set(Number(row.id), {
      id: Number(row.id),
      idVdContrato: nullableNumber(row.id_vd_contrato),
      idContrato: nullableNumber(row.id_contrato),
      idProduto: nullableNumber(row.id_produto),
      qtde: Number(row.qtde),
      descricao: row.descricao,
      idContratoProdutoPlano: nullableNumber(row.id_contrato_produto_plano),
    });
    if (row.p_id !== null) {
      products.set(Number(row.p_id), {
        id: Number(row.p_id),
        descricao: row.p_descricao,
        ativo: row.p_ativo,
        idIntegracaoIot: nullableNumber(row.p_id_integracao_iot),
        idProdutoIot: row.p_id_produto_iot,
      });
    }
  }
  return {
    contractId: contract.id,
    contract: { id: contract.id, idCliente: contract.idCliente, idVdContrato: contract.idVdContrato, status: contract.status, statusInternet: contract.statusInternet },
    cliente: contract.cliente ?? null,
    lines: [...byId.values()],
    products,
  };
}
