import type { Workload } from './workload';

/**
 * The fewest API calls the drain workload needs on an empty platform, from the final rows alone
 * (DESIGN § Decisions): only active contracts with an effective IoT line touch the platform
 * (nothing is created only to be suspended or cancelled). Per customer that needs to exist: the
 * searches the contract's find-or-create requires before a create (iot-platform-api.md §2.4: by
 * document, then by e-mail when the customer has one) and one create; per such contract: one
 * subscription create and one licence create per platform product (their references are new, so
 * intent before effect needs no lookup); plus one token.
 */
export interface MinimumCalls {
  token: number;
  customerFinds: number;
  customerCreates: number;
  subscriptionCreates: number;
  licences: number;
  total: number;
  /** Contract id → platform product → quantity, for verification. */
  desired: Map<number, Map<string, number>>;
}

/** Contract id → platform product → summed quantity of its effective IoT lines (its plan's and its own), for every contract. */
export function effectiveQuantities(workload: Workload): Map<number, Map<string, number>> {
  const platformOf = new Map(workload.products.map((p) => [p.id, p.platformProductId]));
  const planLines = new Map<number, Array<{ product: string; qtde: number }>>();
  for (const l of workload.planLines) {
    const product = platformOf.get(l.id_produto);
    if (product) planLines.set(l.id_vd_contrato, [...(planLines.get(l.id_vd_contrato) ?? []), { product, qtde: l.qtde }]);
  }
  const ownLines = new Map<number, Array<{ product: string; qtde: number }>>();
  for (const l of workload.lines) {
    const product = platformOf.get(l.id_produto);
    if (product) ownLines.set(l.id_contrato, [...(ownLines.get(l.id_contrato) ?? []), { product, qtde: l.qtde }]);
  }
  const all = new Map<number, Map<string, number>>();
  for (const c of workload.contracts) {
    const quantities = new Map<string, number>();
    for (const line of [...(planLines.get(c.id_vd_contrato) ?? []), ...(ownLines.get(c.id) ?? [])]) {
      quantities.set(line.product, (quantities.get(line.product) ?? 0) + line.qtde);
    }
    all.set(c.id, quantities);
  }
  return all;
}

export function minimumApiCalls(workload: Workload): MinimumCalls {
  const all = effectiveQuantities(workload);
  const desired = new Map<number, Map<string, number>>();
  const customers = new Set<number>();
  for (const c of workload.contracts) {
    if (c.status !== 'A' || c.status_internet !== 'A') continue;
    const quantities = all.get(c.id)!;
    if (quantities.size === 0) continue;
    desired.set(c.id, quantities);
    customers.add(c.id_cliente);
  }
  const licences = [...desired.values()].reduce((a, q) => a + q.size, 0);
  // Every bench customer has an e-mail (bench-database.ts), so a customer not found by document is searched by e-mail too.
  const customerFinds = customers.size * 2;
  const result = { token: 1, customerFinds, customerCreates: customers.size, subscriptionCreates: desired.size, licences };
  return { ...result, total: result.token + result.customerFinds + result.customerCreates + result.subscriptionCreates + result.licences, desired };
}

