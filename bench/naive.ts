import type { Kafka } from 'kafkajs';
import { decodeChangeEvent } from '../src/consumers/decode-change-event';
import { buildCustomerInput } from '../src/handlers/domain/customer/customer-input';
import { licenceExternalId, subscriptionExternalId } from '../src/handlers/domain/external-refs';
import { createIotPlatformClient } from '../src/iot-client/iot-platform-client';
import { createMemoryTokenStore } from '../src/iot-client/token-store';
import { resolveIotClientOptions } from '../src/iot-client/client-options';
import type { BenchDatabase } from './bench-database';
import type { BenchTopics } from './bench-kafka';
import type { BenchSandbox } from './bench-processes';
import type { Workload } from './workload';

export interface NaiveOptions {
  kafka: Kafka;
  sandbox: BenchSandbox;
  db: BenchDatabase;
  topics: BenchTopics;
  workload: Workload;
  tenant: string;
  maxEvents: number;
  maxSeconds: number;
  latencyMs: number;
  maxConcurrency: number;
  report(line: string): void;
}

export interface NaiveResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  apiCalls: number;
  errors: number;
}

/**
 * The baseline most teams write: a kafkajs consumer whose `eachMessage` decodes the record, reads
 * the contract and calls the platform for it (find-or-create customer, subscription and licences,
 * status and quantity updates), one event at a time, with the same IoT client and limits as the
 * worker. No work set, no coalescing. It starts on an empty platform (sandbox reset) and stops
 * after `maxEvents` events or `maxSeconds`.
 */
export async function runNaive(o: NaiveOptions): Promise<NaiveResult> {
  await o.sandbox.admin('POST', '/reset', {});
  await o.sandbox.admin('PUT', '/faults', { endpoint: '*', fault: { latencyMs: o.latencyMs } });
  const platform = createIotPlatformClient(
    { tokenStore: createMemoryTokenStore({ clientId: o.sandbox.clientId, clientSecret: o.sandbox.clientSecret }) },
    resolveIotClientOptions({
      baseUrl: o.sandbox.url,
      clientId: o.sandbox.clientId,
      clientSecret: o.sandbox.clientSecret,
      maxConcurrency: o.maxConcurrency,
      maxRequestsPerSecond: Math.ceil((o.maxConcurrency * 1000) / Math.max(1, o.latencyMs)) * 2,
    }),
  );
  const ixc = o.db.db.ixcDatabase;
  const dataTopics = o.topics.topics.filter((t) => t.endsWith('.cliente_contrato') || t.endsWith('.vd_contratos_produtos'));
  const consumer = o.kafka.consumer({ groupId: `bench-naive-${o.topics.prefix}` });
  await consumer.connect();
  await consumer.subscribe({ topics: dataTopics, fromBeginning: true });
  let processed = 0;
  let errors = 0;
  let firstAt = 0;
  let doneAt = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const stop = () => {
    if (doneAt === 0) doneAt = Date.now();
    finish();
  };
  const timer = setTimeout(stop, o.maxSeconds * 1000 + 30_000);

  const handle = async (contractId: number): Promise<void> => {
    const [contracts] = await o.db.conn.query(
      `SELECT c.id, c.status, c.status_internet, c.id_vd_contrato, cl.id AS cliente_id, cl.razao, cl.cnpj_cpf, cl.tipo_pessoa, cl.email, cl.telefone_celular
         FROM \`${ixc}\`.cliente_contrato c JOIN \`${ixc}\`.cliente cl ON cl.id = c.id_cliente WHERE c.id = ?`,
      [contractId],
    );
    const c = (contracts as Array<Record<string, string | number | null>>)[0];
    if (!c) return;
    const [lineRows] = await o.db.conn.query(
      `SELECT p.id_produto_iot AS product, SUM(v.qtde) AS quantity FROM \`${ixc}\`.vd_contratos_produtos v JOIN \`${ixc}\`.produtos p ON p.id = v.id_produto
        WHERE (v.id_contrato = ? OR ((v.id_contrato = 0 OR v.id_contrato IS NULL) AND v.id_vd_contrato = ?)) AND p.id_produto_iot IS NOT NULL
        GROUP BY p.id_produto_iot`,
      [contractId, c.id_vd_contrato],
    );
    const lines = lineRows as Array<{ product: string; quantity: string }>;
    if (lines.length === 0) return;
    const active = c.status === 'A' && c.status_internet === 'A';
    const subscriptionRef = subscriptionExternalId(o.tenant, contractId);
    if (!active) {
      const sub = await platform.findSubscriptionByExternalId(subscriptionRef);
      const target = c.status === 'I' || c.status === 'D' ? 'cancelled' : 'suspended';
      if (sub && sub.status !== target) await platform.setSubscriptionStatus(sub.id, target, 'other');
      return;
    }
    const customer = await platform.findOrCreateCustomer(
      buildCustomerInput(
        { id: Number(c.cliente_id), razao: c.razao as string, cnpjCpf: c.cnpj_cpf as string, tipoPessoa: c.tipo_pessoa as string, email: c.email as string, telefoneCelular: c.telefone_celular as string },
        o.tenant,
      ),
    );
    const sub = await platform.findOrCreateSubscription(customer.value.id, { externalId: subscriptionRef });
    if (sub.value.status === 'suspended') await platform.setSubscriptionStatus(sub.value.id, 'active', 'other');
    for (const line of lines) {
      const items = [{ productId: line.product, quantity: Number(line.quantity) }];
      const licence = await platform.findOrCreateLicence(sub.value.id, { externalId: licenceExternalId(o.tenant, contractId, line.product), items });
      if (licence.value.items.reduce((a, i) => a + i.quantity, 0) !== items[0]!.quantity) await platform.updateLicenceItems(licence.value.id, items);
    }
  };

  o.report(`naive: eachMessage consumer over the drain's topics, up to ${o.maxEvents} events or ${o.maxSeconds} s`);
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      if (doneAt !== 0) return;
      if (firstAt === 0) firstAt = Date.now();
      const decoded = decodeChangeEvent({ topic, partition, offset: message.offset, key: message.key, value: message.value, timestamp: message.timestamp });
      if (decoded.kind === 'change') {
        const row = decoded.after ?? decoded.before;
        const contractId = decoded.table === 'cliente_contrato' ? Number(row?.id) : Number(row?.id_contrato ?? 0);
        if (contractId > 0) {
          try {
            await handle(contractId);
          } catch {
            errors += 1;
          }
        }
      }
      processed += 1;
      if (processed >= o.maxEvents || Date.now() - firstAt >= o.maxSeconds * 1000) stop();
    },
  });
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  platform.close();
  const state = await o.sandbox.admin<{ requestCounts: Record<string, number> }>('GET', '/state');
  const seconds = (doneAt - firstAt) / 1000;
  o.report(`naive: ${processed} events in ${seconds.toFixed(1)} s (${errors} errors)`);
  return { events: processed, seconds, eventsPerSecond: processed / seconds, apiCalls: Object.values(state.requestCounts).reduce((a, b) => a + b, 0), errors };
}
