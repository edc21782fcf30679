import {
  customerExternalId,
  licenceExternalId,
  parseContractExternalId,
  subscriptionExternalId,
} from '../../../src/handlers/domain/external-refs';
import { canonicalJson } from '../../../src/handlers/domain/fingerprint';
import { idempotencyKey } from '../../../src/iot-client/idempotency-key';
import { parseRetryAfter } from '../../../src/iot-client/retry-after';
import { jwtExpiryMs } from '../../../src/iot-client/token-manager';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-29T10:00:00Z');
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(['120'], now)).toBe(120_000);
  });
  it('reads an HTTP date, and a past date as 0', () => {
    expect(parseRetryAfter('Sun, 29 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 09:59:00 GMT', now)).toBe(0);
  });
  it('ignores absent, negative, fractional and garbage values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('idempotencyKey', () => {
  it('is operation + external reference + sha256 of the canonical body', () => {
    const key = idempotencyKey('create-subscription', 'ixc:12345678000199:contrato:9876', { external_id: 'x', b: 1 });
    expect(key).toMatch(/^create-subscription:ixc:12345678000199:contrato:9876:[0-9a-f]{64}$/);
  });
  it('ignores key order and undefined members, and changes with the body', () => {
    const a = idempotencyKey('op', 'ref', { a: 1, b: { c: 2, d: [1, 2] }, e: undefined });
    const b = idempotencyKey('op', 'ref', { b: { d: [1, 2], c: 2 }, a: 1 });
    expect(a).toBe(b);
    expect(idempotencyKey('op', 'ref', { a: 2 })).not.toBe(idempotencyKey('op', 'ref', { a: 1 }));
    expect(idempotencyKey('op', 'ref2', { a: 1 })).not.toBe(idempotencyKey('op', 'ref', { a: 1 }));
    expect(canonicalJson({ b: 1, a: [{ y: 1, x: 2 }] })).toBe('{"a":[{"x":2,"y":1}],"b":1}');
  });
});

describe('external references', () => {
  it('builds customer, subscription and licence references with the epoch suffix only above 1', () => {
    expect(customerExternalId('12345678000199', 42)).toBe('ixc:12345678000199:cliente:42');
    expect(subscriptionExternalId('t1', 9876)).toBe('ixc:t1:contrato:9876');
    expect(subscriptionExternalId('t1', 9876, 1)).toBe('ixc:t1:contrato:9876');
    expect(subscriptionExternalId('t1', 9876, 2)).toBe('ixc:t1:contrato:9876:2');
    expect(licenceExternalId('t1', 9876, '65a0ff')).toBe('ixc:t1:contrato:9876:produto:65a0ff');
    expect(licenceExternalId('t1', 9876, '65a0ff', 3)).toBe('ixc:t1:contrato:9876:produto:65a0ff:3');
  });
  it('rejects unsafe tenants, ids and epochs', () => {
    expect(() => customerExternalId('a:b', 1)).toThrow();
    expect(() => subscriptionExternalId('t1', 0)).toThrow();
    expect(() => subscriptionExternalId('t1', 1, 0)).toThrow();
    expect(() => licenceExternalId('t1', 1, 'a:b')).toThrow();
  });
  it('parses contract references back', () => {
    expect(parseContractExternalId('ixc:t1:contrato:9876:produto:OLLI-CAMERA:2')).toEqual({
      tenant: 't1', contractId: 9876, productId: 'OLLI-CAMERA', epoch: 2,
    });
    expect(parseContractExternalId('ixc:t1:contrato:5')).toEqual({ tenant: 't1', contractId: 5, productId: null, epoch: 1 });
    expect(parseContractExternalId('ixc:t1:cliente:5')).toBeNull();
  });
});

describe('token expiry', () => {
  it('reads exp from a JWT and nothing from an opaque token', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 1_900_000_000 })).toString('base64url');
    expect(jwtExpiryMs(`eyJhbGciOiJub25lIn0.${payload}.sig`)).toBe(1_900_000_000_000);
    expect(jwtExpiryMs('opaque-token')).toBeUndefined();
  });
});
