/**
 * The scripted story the demo plays in IXC: each step changes IXC's rows the way an ISP's staff
 * would, then names the contracts whose platform state should follow.
 */
export interface DemoStep {
  title: string;
  /** What the operator does in IXC, in words. */
  action: string;
  /** SQL run against IXC's database, in order. */
  sql: Array<[string, unknown[]]>;
  /** Contracts to show after the step. */
  contracts: number[];
  /** What the viewer should see. */
  expect: string;
}

/** The demo owns ids from here on in IXC's tables (kept clear of the seed and of the tests). */
const DEMO_BASE = 800_000;
const CUSTOMER = DEMO_BASE + 1;
const CONTRACT = DEMO_BASE + 1;

/** Seed rows the story uses (fixtures/ixc/README.md §2): customer 1 holds contract 1 on plan 2. */
const SEED_CONTRACT_OF_EXISTING_CUSTOMER = 1;
const SEED_CAMERA_PRODUCT = 6;
const PLAN_FIBRA_600_CASA = 2;

export function demoStory(cpf: string): DemoStep[] {
  return [
    {
      title: 'A new customer signs a contract with IoT products',
      action: `Customer ${CUSTOMER} (new CPF) signs contract ${CONTRACT} on plan ${PLAN_FIBRA_600_CASA} (FIBRA 600 + Casa Inteligente) and adds 2 cameras`,
      sql: [
        [
          `INSERT INTO cliente (id, razao, tipo_pessoa, cnpj_cpf, email, telefone_celular, endereco, numero, bairro, cep, ativo, filial_id)
           VALUES (?, 'Beatriz Campos Ribeiro', 'F', ?, 'beatriz.ribeiro@example.com', '(17) 99123-4567', 'Rua das Palmeiras', '45', 'Centro', '15015-100', 'S', 1)`,
          [CUSTOMER, cpf],
        ],
        [
          `INSERT INTO cliente_contrato (id, id_cliente, id_vd_contrato, status, status_internet, tipo, data, id_tipo_contrato, id_modelo)
           VALUES (?, ?, ?, 'A', 'A', 'I', CURDATE(), 1, 1)`,
          [CONTRACT, CUSTOMER, PLAN_FIBRA_600_CASA],
        ],
        [
          `INSERT INTO vd_contratos_produtos (id, id_contrato, id_vd_contrato, id_produto, qtde, tipo, descricao) VALUES (?, ?, 0, ?, 2, 'SVA', 'Câmeras Wi-Fi')`,
          [DEMO_BASE + 1, CONTRACT, SEED_CAMERA_PRODUCT],
        ],
      ],
      contracts: [CONTRACT],
      expect: 'customer created once, one subscription, a Casa Inteligente licence (plan line) and a Câmera licence for 2 devices',
    },
    {
      title: 'An existing customer adds devices',
      action: `Customer 1 adds a camera to contract ${SEED_CONTRACT_OF_EXISTING_CUSTOMER}`,
      sql: [
        [
          `INSERT INTO vd_contratos_produtos (id, id_contrato, id_vd_contrato, id_produto, qtde, tipo, descricao) VALUES (?, ?, 0, ?, 1, 'SVA', 'Câmera da garagem')`,
          [DEMO_BASE + 2, SEED_CONTRACT_OF_EXISTING_CUSTOMER, SEED_CAMERA_PRODUCT],
        ],
      ],
      contracts: [SEED_CONTRACT_OF_EXISTING_CUSTOMER],
      expect: 'the customer is found, not created; a Câmera licence is added to the existing subscription',
    },
    {
      title: 'The contract goes overdue',
      action: `Billing flags contract ${CONTRACT} as overdue (status_internet FA)`,
      sql: [[`UPDATE cliente_contrato SET status_internet = 'FA' WHERE id = ?`, [CONTRACT]]],
      contracts: [CONTRACT],
      expect: 'subscription suspended (past_due), licences blocked (B)',
    },
    {
      title: 'The customer pays',
      action: `Payment arrives: contract ${CONTRACT} back to status_internet A`,
      sql: [[`UPDATE cliente_contrato SET status_internet = 'A' WHERE id = ?`, [CONTRACT]]],
      contracts: [CONTRACT],
      expect: 'subscription active again, licences unblocked',
    },
    {
      title: 'The contract is cancelled',
      action: `Contract ${CONTRACT} is cancelled (status I)`,
      sql: [[`UPDATE cliente_contrato SET status = 'I' WHERE id = ?`, [CONTRACT]]],
      contracts: [CONTRACT],
      expect: 'licences revoked (I), subscription cancelled (contract_cancelled)',
    },
  ];
}

/** Removes what earlier demo runs added, so the story can be played again on the same stack. */
export const DEMO_CLEANUP: Array<[string, unknown[]]> = [
  ['DELETE FROM vd_contratos_produtos WHERE id BETWEEN ? AND ?', [DEMO_BASE, DEMO_BASE + 9999]],
  ['DELETE FROM cliente_contrato WHERE id BETWEEN ? AND ?', [DEMO_BASE, DEMO_BASE + 9999]],
  ['DELETE FROM cliente WHERE id BETWEEN ? AND ?', [DEMO_BASE, DEMO_BASE + 9999]],
];
