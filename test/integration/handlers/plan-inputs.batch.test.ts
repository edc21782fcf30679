import { contractClienteId } from '../../../src/handlers/desired/desired-state';
import { loadPlanInputs } from '../../../src/handlers/reconcile-contract';
import { loadContractSource } from '../../../src/handlers/store/load-contract-source';
import { loadRecordedState } from '../../../src/handlers/store/load-recorded-state';
import { useReconcileWorld, type ReconcileWorld } from '../../helpers/reconcile-harness';

jest.setTimeout(120_000);

/**
 * The slots read a claimed batch's plan inputs in a handful of statements; every reconcile must
 * see exactly what its own per-contract read would have returned, on the seed's mix of plan
 * lines, own lines, replaced plan lines, shared customers, recorded licences and missing rows.
 */
describe('batch read of plan inputs', () => {
  let w: ReconcileWorld;

  useReconcileWorld((_sandbox, world) => {
    w = world;
  });

  it('equals the per-contract reads for every seed contract, provisioned or not, and for a missing one', async () => {
    const seed = (await w.ixc('SELECT id FROM cliente_contrato ORDER BY id')).map((r) => Number(r.id));
    expect(seed.length).toBeGreaterThan(5);
    // Half provisioned (sync rows, licence rows, item rows), half never reconciled.
    await w.converge(seed.filter((_, i) => i % 2 === 0));
    const ids = [...seed, 999_999];

    const batch = await loadPlanInputs(w.deps, ids, w.options);

    expect([...batch.keys()].sort((a, b) => a - b)).toEqual(ids);
    let withLicences = 0;
    let withPlanLines = 0;
    for (const id of ids) {
      const source = await loadContractSource(w.dataSource.manager, id);
      const recorded = await loadRecordedState(w.dataSource.manager, w.t.db.syncSchema, id, contractClienteId(source), w.options.integrationId);
      expect({ id, ...batch.get(id) }).toEqual({ id, source, recorded });
      if (recorded.licencas.length > 0) withLicences += 1;
      if (source.lines.some((l) => !l.idContrato)) withPlanLines += 1;
    }
    // The comparison covered the interesting shapes, not only empty contracts.
    expect(withLicences).toBeGreaterThan(0);
    expect(withPlanLines).toBeGreaterThan(0);
  });
});
