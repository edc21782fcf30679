import { loadPlanInputs } from '../../../src/handlers/load/load-plan-inputs';
import { useReconcileWorld, type ReconcileWorld } from '../../helpers/reconcile-harness';

jest.setTimeout(120_000);

/**
 * The batched loader is the only read path: a reconcile reads a batch of one, the change guard and
 * `--dry-run` many. Every contract must get exactly what its own batch of one returns, on the
 * seed's mix of plan lines, own lines, replaced plan lines, shared customers, recorded licences
 * and missing rows.
 */
describe('batch read of plan inputs', () => {
  let w: ReconcileWorld;

  useReconcileWorld((_sandbox, world) => {
    w = world;
  });

  it('equals the batch-of-one reads for every seed contract, provisioned or not, and for a missing one', async () => {
    const seed = (await w.ixc('SELECT id FROM cliente_contrato ORDER BY id')).map((r) => Number(r.id));
    expect(seed.length).toBeGreaterThan(5);
    // Half provisioned (sync rows, licence rows, item rows), half never reconciled.
    await w.converge(seed.filter((_, i) => i % 2 === 0));
    const ids = [...seed, 999_999];

    const batch = await loadPlanInputs(w.dataSource.manager, w.t.db.syncSchema, ids, w.options.integrationId);

    expect([...batch.keys()].sort((a, b) => a - b)).toEqual(ids);
    let withLicences = 0;
    let withPlanLines = 0;
    for (const id of ids) {
      const one = (await loadPlanInputs(w.dataSource.manager, w.t.db.syncSchema, [id], w.options.integrationId)).get(id);
      expect(one).toBeDefined();
      const { source, recorded } = one!;
      expect({ id, ...batch.get(id) }).toEqual({ id, source, recorded });
      if (recorded.licencas.length > 0) withLicences += 1;
      if (source.lines.some((l) => !l.idContrato)) withPlanLines += 1;
    }
    // The comparison covered the interesting shapes, not only empty contracts.
    expect(withLicences).toBeGreaterThan(0);
    expect(withPlanLines).toBeGreaterThan(0);
  });
});
