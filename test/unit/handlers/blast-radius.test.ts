import { changeVerdict, HELD_SAMPLE_SIZE, type ChangeFacts } from '../../../src/handlers/plan/change-guard';

const change = (over: Partial<ChangeFacts> = {}): ChangeFacts => ({
  id: '7',
  status: 'open',
  origin: 'produtos row 12, transaction 0-1-345',
  applied: 0,
  planned: 0,
  destructiveContracts: [],
  ...over,
});

describe('blast-radius guard: one IXC change as a whole', () => {
  it('lets a change at the threshold through', () => {
    expect(changeVerdict(change({ planned: 5, destructiveContracts: [1, 2, 3, 4, 5] }), 5)).toEqual({ kind: 'allow' });
  });

  it('holds a whole change above the threshold, naming it, its origin, its count and a sample', () => {
    const ids = Array.from({ length: 60 }, (_, i) => 100 + i);
    const verdict = changeVerdict(change({ planned: 60, destructiveContracts: ids }), 50);
    expect(verdict).toMatchObject({ kind: 'hold', newlyHeld: true, destructive: 60, sample: ids.slice(0, HELD_SAMPLE_SIZE) });
    if (verdict.kind !== 'hold') throw new Error('expected a hold');
    expect(verdict.park.detail).toBe(
      'Held with change 7 (produtos row 12, transaction 0-1-345): 60 revocation(s)/cancellation(s), above the blast-radius threshold of 50; run "reconcile --confirm 7" to proceed',
    );
  });

  it('judges what the change already revoked together with what it still plans (a change still growing)', () => {
    expect(changeVerdict(change({ applied: 40, planned: 11, destructiveContracts: [9] }), 50).kind).toBe('hold');
  });

  it('keeps a held change held and lets a confirmed one through whatever its size', () => {
    expect(changeVerdict(change({ status: 'held', planned: 1, destructiveContracts: [1] }), 50)).toMatchObject({ kind: 'hold', newlyHeld: false });
    expect(changeVerdict(change({ status: 'confirmed', planned: 500 }), 50)).toEqual({ kind: 'allow' });
  });
});
