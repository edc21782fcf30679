import { decideContractState, type StatePolicies } from '../../../src/handlers/plan/desired-state';

const DEFAULTS: StatePolicies = { negativadoPolicy: 'suspend', overduePolicy: 'suspend' };
const decide = (status: string | null, statusInternet: string | null, policies = DEFAULTS, exists = true) =>
  decideContractState({ exists, status, statusInternet }, policies);

describe('decideContractState: the state table, first match wins', () => {
  describe('row 1: deleted, status I or D → cancelled', () => {
    it('a deleted contract row is cancelled', () => expect(decide(null, null, DEFAULTS, false)).toMatchObject({ target: 'cancelled', rule: 1 }));
    it('status I (inativo) is cancelled even when status_internet is A', () => expect(decide('I', 'A')).toMatchObject({ target: 'cancelled', rule: 1, reason: 'contract_cancelled' }));
    it('status D (desistiu) is cancelled', () => expect(decide('D', 'D')).toMatchObject({ target: 'cancelled', rule: 1 }));
    it('status I wins over status_internet AA (row 1 before row 2)', () => expect(decide('I', 'AA')).toMatchObject({ target: 'cancelled', rule: 1 }));
  });

  describe('row 2: status P or status_internet AA → not yet', () => {
    it('status P', () => expect(decide('P', 'D')).toMatchObject({ target: 'not-yet', rule: 2 }));
    it('status_internet AA on an active contract', () => expect(decide('A', 'AA')).toMatchObject({ target: 'not-yet', rule: 2 }));
    it('status N with AA is not yet (row 2 before row 3)', () => expect(decide('N', 'AA')).toMatchObject({ target: 'not-yet', rule: 2 }));
  });

  describe('row 3: status N, or status_internet CM, CA, FA, CE, D → suspended', () => {
    it.each([
      ['CM', 'manual'],
      ['CA', 'past_due'],
      ['FA', 'past_due'],
      ['CE', 'past_due'],
      ['D', 'manual'],
    ])('status A with status_internet %s suspends (reason %s)', (si, reason) =>
      expect(decide('A', si)).toMatchObject({ target: 'suspended', rule: 3, reason }));
    it('status N (negativado) suspends by default', () => expect(decide('N', 'A')).toMatchObject({ target: 'suspended', rule: 3, reason: 'past_due' }));
    it('status N cancels under the cancel policy', () =>
      expect(decide('N', 'CM', { ...DEFAULTS, negativadoPolicy: 'cancel' })).toMatchObject({ target: 'cancelled', rule: 3 }));
    it('FA stays active under the overdue policy "active"', () =>
      expect(decide('A', 'FA', { ...DEFAULTS, overduePolicy: 'active' })).toMatchObject({ target: 'active', rule: 4 }));
    it('status_internet D (deactivated) is not status D (gave up)', () => expect(decide('A', 'D')).toMatchObject({ target: 'suspended' }));
  });

  describe('row 4: status A and status_internet A → active', () => {
    it('A/A', () => expect(decide('A', 'A')).toMatchObject({ target: 'active', rule: 4 }));
    it('codes are read case- and space-insensitively', () => expect(decide(' a', 'a ')).toMatchObject({ target: 'active', rule: 4 }));
  });

  describe('row 5: anything else → hold', () => {
    it.each([
      ['', 'A'],
      [null, 'A'],
      ['A', ''],
      ['A', null],
      ['X', 'A'],
      ['A', 'ZZ'],
      ['', ''],
      [null, null],
    ])('status %p / status_internet %p holds', (status, si) => {
      const decision = decide(status, si);
      expect(decision).toMatchObject({ target: 'hold', rule: 5 });
      expect(decision.why).toMatch(/held/);
    });
  });
});
