import type mysql from 'mysql2/promise';
import type { SandboxAdminState } from '../src/sandbox/sandbox-admin';
import { createIxcWorld, makeCpf, type IxcWorld } from '../test/helpers/ixc-world';
import { checkWorld, desiredKind, type ContractExpectation, type ContractRowLite, type LicencaRow, type OracleReport } from './chaos-oracle';

/** The platform products of the chaos world (sandbox default catalogue). */
export const CHAOS_PRODUCTS = [
  { offset: 1, name: 'Câmera IoT (chaos)', platformId: 'OLLI-CAMERA' },
  { offset: 2, name: 'Sensor de porta (chaos)', platformId: 'OLLI-SENSOR-PORTA' },
] as const;

/** Contracts, customers and lines live at base + CONTRACT_OFFSET + i; second lines at base + SECOND_LINE_OFFSET + i. */
export const CONTRACT_OFFSET = 1000;
const SECOND_LINE_OFFSET = 3000;
export const MAX_CHAOS_CONTRACTS = 2000;

export interface ChaosWorld {
  readonly ixc: IxcWorld;
  readonly contractIds: number[];
  readonly cpfs: string[];
  /** The customers' names, e-mails and phones, as seeded: what the leak search looks for besides CPFs. */
  readonly personal: { names: string[]; emails: string[]; phones: string[] };
  /** Customers, contracts and two lines per contract: about 4 events per contract. */
  seed(contracts: number): Promise<number>;
  /**
   * Drives at least `events` row changes through the captured tables in bulk statements
   * (`batchPause` ms between them, or spread over `durationMs`), ending in a mixed final state: returns the row changes made.
   */
  churn(events: number, options?: { batchPause?: number; durationMs?: number; retryMs?: number; stop?: () => boolean }): Promise<number>;
  expectations(): Promise<ContractExpectation[]>;
  check(state: SandboxAdminState, tenant: string): Promise<OracleReport>;
  dirtyCount(syncSchema: string): Promise<number>;
}

const customerName = (id: number) => `Cliente Caos ${id}`;
const customerEmail = (id: number) => `caos${id}@example.com`;
const CUSTOMER_PHONE = '(17) 99812-3456';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createChaosWorld(conn: mysql.Connection, base: number, integrationId: number): ChaosWorld {
  const ixc = createIxcWorld(conn, base, integrationId);
  let ids: number[] = [];
  let round = 0;
  const lo = () => base + CONTRACT_OFFSET;
  const hi = () => base + CONTRACT_OFFSET + ids.length - 1;

  const affected = async (sql: string, params: unknown[], retryMs = 0): Promise<number> => {
    const until = Date.now() + retryMs;
    for (;;) {
      try {
        const [result] = await conn.query(sql, params);
        return Number((result as { affectedRows?: number }).affectedRows ?? 0);
      } catch (err) {
        // While MariaDB restarts (chaos case 4) the statement is retried: the oracle reads the rows as they end up.
        if (Date.now() > until) throw err;
        await sleep(1000);
      }
    }
  };

  return {
    ixc,
    get contractIds() {
      return ids;
    },
    get cpfs() {
      return ids.map((id) => makeCpf(id));
    },
    get personal() {
      return { names: ids.map(customerName), emails: ids.map(customerEmail), phones: ids.length > 0 ? [CUSTOMER_PHONE] : [] };
    },
    async seed(count) {
      if (count > MAX_CHAOS_CONTRACTS) throw new Error(`at most ${MAX_CHAOS_CONTRACTS} chaos contracts`);
      ids = Array.from({ length: count }, (_, i) => base + CONTRACT_OFFSET + i);
      for (const p of CHAOS_PRODUCTS) {
        await conn.query('DELETE FROM produtos WHERE id = ?', [base + p.offset]);
        await ixc.product(base + p.offset, p.name, p.platformId);
      }
      await conn.query('DELETE FROM vd_contratos WHERE id = ?', [base + 1]);
      await ixc.plan(base + 1, 'FIBRA (chaos)');
      let events = 0;
      for (let i = 0; i < count; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = (fn: (id: number) => unknown[]) => chunk.map(fn);
        events += await affected(
          `INSERT INTO cliente (id, razao, tipo_pessoa, cnpj_cpf, email, telefone_celular, ativo, filial_id) VALUES ?`,
          [rows((id) => [id, customerName(id), 'F', makeCpf(id), customerEmail(id), CUSTOMER_PHONE, 'S', 1])],
        );
        events += await affected(
          `INSERT INTO cliente_contrato (id, id_cliente, id_vd_contrato, status, status_internet, tipo, data, id_tipo_contrato, id_modelo) VALUES ?`,
          [rows((id) => [id, id, base + 1, 'A', 'A', 'I', new Date().toISOString().slice(0, 10), 1, 1])],
        );
        events += await affected(
          `INSERT INTO vd_contratos_produtos (id, id_contrato, id_vd_contrato, id_produto, qtde, tipo, descricao) VALUES ?`,
          [rows((id) => [id, id, 0, base + 1, 1, 'SVA', 'camera (chaos)'])],
        );
        events += await affected(
          `INSERT INTO vd_contratos_produtos (id, id_contrato, id_vd_contrato, id_produto, qtde, tipo, descricao) VALUES ?`,
          [rows((id) => [id - CONTRACT_OFFSET + SECOND_LINE_OFFSET, id, 0, base + 2, 1, 'SVA', 'sensor (chaos)'])],
        );
      }
      return events;
    },
    async churn(events, options = {}) {
      let made = 0;
      const t0 = Date.now();
      // Every statement changes every row it touches (so each is one binlog row event).
      while (made < events && !(options.stop?.() ?? false)) {
        round += 1;
        const kind = round % 3;
        if (kind === 1) {
          made += await affected(`UPDATE cliente_contrato SET status_internet = IF(status_internet = 'A', 'CA', 'A') WHERE id BETWEEN ? AND ? AND status = 'A'`, [lo(), hi()], options.retryMs);
        } else if (kind === 2) {
          made += await affected(`UPDATE vd_contratos_produtos SET qtde = 1 + (qtde % 3) WHERE id_contrato BETWEEN ? AND ?`, [lo(), hi()], options.retryMs);
        } else {
          made += await affected(`UPDATE cliente_contrato SET obs = ? WHERE id BETWEEN ? AND ?`, [`chaos round ${round}`, lo(), hi()], options.retryMs);
        }
        if (options.durationMs) {
          // Spread the statements evenly over the wanted drain time.
          const remainingRounds = Math.max(1, Math.ceil((events - made) / Math.max(1, ids.length)));
          await sleep(Math.max(0, (options.durationMs - (Date.now() - t0)) / remainingRounds));
        } else if (options.batchPause) await sleep(options.batchPause);
      }
      // The final state, every kind of DESIGN.md § State: a tenth each cancelled, suspended, not yet
      // (pré-contrato after provisioning) and held (no access status), the rest active.
      made += await affected(
        `UPDATE cliente_contrato SET status = CASE MOD(id, 10) WHEN 0 THEN 'I' WHEN 2 THEN 'P' ELSE 'A' END,
            status_internet = CASE MOD(id, 10) WHEN 1 THEN 'CM' WHEN 3 THEN NULL ELSE 'A' END, obs = 'chaos final' WHERE id BETWEEN ? AND ?`,
        [lo(), hi()],
        options.retryMs,
      );
      return made;
    },
    async expectations() {
      if (ids.length === 0) return [];
      const [contracts] = await conn.query(`SELECT id, status, status_internet FROM cliente_contrato WHERE id BETWEEN ? AND ?`, [lo(), hi()]);
      const [lines] = await conn.query(
        `SELECT l.id_contrato, p.id_produto_iot, SUM(l.qtde) AS qty FROM vd_contratos_produtos l JOIN produtos p ON p.id = l.id_produto
          WHERE l.id_contrato BETWEEN ? AND ? AND p.id_integracao_iot = ? AND p.id_produto_iot IS NOT NULL GROUP BY l.id_contrato, p.id_produto_iot`,
        [lo(), hi(), integrationId],
      );
      const rows = new Map((contracts as ContractRowLite[]).map((r) => [Number(r.id), r]));
      const qty = new Map<number, Map<string, number>>();
      for (const l of lines as Array<{ id_contrato: number; id_produto_iot: string; qty: number }>) {
        const m = qty.get(Number(l.id_contrato)) ?? new Map<string, number>();
        m.set(l.id_produto_iot, Number(l.qty));
        qty.set(Number(l.id_contrato), m);
      }
      return ids.map((id) => ({ contractId: id, kind: desiredKind(rows.get(id)), quantities: qty.get(id) ?? new Map() }));
    },
    async check(state, tenant) {
      const [licencas] = await conn.query(
        `SELECT id_contrato, id_licenca_integracao, id_assinatura_integracao, status FROM licencas_iot WHERE id_contrato BETWEEN ? AND ? AND id_integracao = ?`,
        [lo(), hi(), integrationId],
      );
      const documents = new Set(ids.map((id) => makeCpf(id).replace(/\D/g, '')));
      return checkWorld(await this.expectations(), state, licencas as LicencaRow[], tenant, documents);
    },
    async dirtyCount(syncSchema) {
      const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM \`${syncSchema}\`.contract_sync WHERE contract_id BETWEEN ? AND ? AND dirty = 1 AND parked_reason IS NULL`, [lo(), hi()]);
      return Number((rows as Array<{ n: number }>)[0]?.n ?? 0);
    },
  };
}
