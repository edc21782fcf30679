import { addCustomer, addLicence, addSubscription, customersBy, licencesBy, setCustomerEmail, subscriptionsBy } from '../../../src/sandbox/sandbox-index';
import { emptyData, type SandboxCustomer, type SandboxData } from '../../../src/sandbox/sandbox-state';

const customer = (id: string, document: string, email: string | null): SandboxCustomer => ({
  id,
  external_id: `ext-${id}`,
  name: id,
  document,
  document_type: 'CPF',
  email,
  phone: null,
  address: null,
  status: 'active',
  created_at: '',
  updated_at: '',
});

describe('sandbox lookups', () => {
  it('index objects that existed before the first lookup (a loaded state file) and those added after', () => {
    const data: SandboxData = emptyData();
    data.customers.a = customer('a', '111', 'Ana@Example.com');
    expect(customersBy(data, 'email', 'ana@example.COM').map((c) => c.id)).toEqual(['a']);
    addCustomer(data, customer('b', '222', null));
    expect(data.customers.b?.id).toBe('b');
    expect(customersBy(data, 'document', '222').map((c) => c.id)).toEqual(['b']);
    expect(customersBy(data, 'external_id', 'ext-a').map((c) => c.id)).toEqual(['a']);
    expect(customersBy(data, 'document', '333')).toEqual([]);
  });

  it('move a customer in the e-mail index when its e-mail changes', () => {
    const data = emptyData();
    const c = customer('a', '111', 'old@example.com');
    addCustomer(data, c);
    setCustomerEmail(data, c, 'new@example.com');
    expect(c.email).toBe('new@example.com');
    expect(customersBy(data, 'email', 'old@example.com')).toEqual([]);
    expect(customersBy(data, 'email', 'NEW@example.com')).toEqual([c]);
    setCustomerEmail(data, c, null);
    expect(customersBy(data, 'email', 'new@example.com')).toEqual([]);
  });

  it('start over with a reset (new collections), and hand out copies the caller may change', () => {
    const data = emptyData();
    addSubscription(data, { id: 's1', customer_id: 'a', external_id: 'x', status: 'active', status_reason: null, metadata: {}, start_date: null, created_at: '', updated_at: '', suspended_at: null, cancelled_at: null });
    addLicence(data, { id: 'l1', code: '', subscription_id: 's1', customer_id: 'a', external_id: 'y', description: null, status: 'pending', items: [], device: null, activated_at: null, created_at: '', updated_at: '' });
    const found = subscriptionsBy(data, 'customer_id', 'a');
    found.pop();
    expect(subscriptionsBy(data, 'external_id', 'x').map((s) => s.id)).toEqual(['s1']);
    expect(licencesBy(data, 'subscription_id', 's1').map((l) => l.id)).toEqual(['l1']);
    Object.assign(data, emptyData());
    expect(subscriptionsBy(data, 'external_id', 'x')).toEqual([]);
    expect(licencesBy(data, 'external_id', 'y')).toEqual([]);
  });
});
