import type { SandboxProduct } from './sandbox-state';

/** Input of a seeded product; missing fields get defaults. */
export interface CatalogSeed {
  id: string;
  code?: string;
  name: string;
  description?: string;
  type?: SandboxProduct['type'];
  maxDevices?: number;
  active?: boolean;
  priceAmount?: number;
}

/**
 * The default catalogue. The ids match the fixture's `produtos.id_produto_iot` values
 * (OLLI-CASA-INTELIGENTE, OLLI-CAMERA, OLLI-SENSOR-PORTA) so linked products resolve out of the box.
 */
export const DEFAULT_CATALOG: readonly CatalogSeed[] = [
  { id: 'OLLI-CASA-INTELIGENTE', code: 'CASA', name: 'Casa Inteligente', type: 'plan', maxDevices: 10, priceAmount: 19.9 },
  { id: 'OLLI-CAMERA', code: 'CAM', name: 'Câmera', type: 'device_license', maxDevices: 8, priceAmount: 14.9 },
  { id: 'OLLI-SENSOR-PORTA', code: 'SENSOR', name: 'Sensor de porta', type: 'device_license', maxDevices: 20, priceAmount: 4.9 },
  { id: 'OLLI-LEGACY-HUB', code: 'HUB', name: 'Hub legado', type: 'addon', maxDevices: 1, active: false },
];

export function toProduct(seed: CatalogSeed, now: string): SandboxProduct {
  return {
    id: seed.id,
    code: seed.code ?? seed.id,
    name: seed.name,
    description: seed.description ?? seed.name,
    type: seed.type ?? 'device_license',
    max_devices: seed.maxDevices ?? 10,
    billing_period: 'monthly',
    price: seed.priceAmount === undefined ? null : { amount: seed.priceAmount, currency: 'BRL' },
    active: seed.active ?? true,
    updated_at: now,
  };
}
