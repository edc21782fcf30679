import { PlanConflictError } from '../../../src/handlers/apply/apply-plan';
import { classifyFailure } from '../../../src/handlers/classify-failure';
import { CustomerValidationError } from '../../../src/handlers/domain/customer/validation-error';
import { BlastRadiusLockTimeoutError, ChangeSettlingError, ReconcileAbortedError } from '../../../src/handlers/errors';
import {
  IotApiPermanentError,
  IotApiUnavailableError,
  IotBreakerOpenError,
  IotConfigurationError,
  IotRescheduleError,
} from '../../../src/iot-client/errors';

const OPTIONS = { backoffMs: (n: number) => 1000 * 2 ** n, breakerDelayMs: 15_000, configurationPauseMs: 60_000 };
const classify = (err: unknown, attempts = 0) => classifyFailure(err, attempts, OPTIONS);

describe('classifyFailure', () => {
  it('transient API errors and unknown errors retry with backoff on the attempts made', () => {
    expect(classify(new IotApiUnavailableError('503'), 3).disposition).toEqual({ kind: 'retry', delayMs: 8000, error: 'IotApiUnavailableError: 503' });
    expect(classify(new Error('ECONNRESET')).disposition.kind).toBe('retry');
    expect(classify('a string').disposition.kind).toBe('retry');
  });

  it('an open breaker reschedules without an attempt (checked before its Unavailable parent)', () => {
    expect(classify(new IotBreakerOpenError('POST /customers'))).toEqual({ disposition: expect.objectContaining({ kind: 'reschedule', delayMs: 15_000 }), pauseAll: false, waiting: false });
  });

  it('a long Retry-After reschedules after it', () => {
    expect(classify(new IotRescheduleError(42_000)).disposition).toMatchObject({ kind: 'reschedule', delayMs: 42_000 });
  });

  it('a configuration fault reschedules and pauses every slot', () => {
    expect(classify(new IotConfigurationError('403'))).toEqual({ disposition: expect.objectContaining({ kind: 'reschedule', delayMs: 60_000 }), pauseAll: true, waiting: false });
  });

  it('waiting too long for the blast-radius lock reschedules without an attempt', () => {
    expect(classify(new BlastRadiusLockTimeoutError('s:blast-radius')).disposition).toMatchObject({ kind: 'reschedule', delayMs: 1000 });
  });

  it('waiting for the guard (its lock, or a change still being marked) is a wait, not a failure; everything else is not', () => {
    expect(classify(new BlastRadiusLockTimeoutError('s:blast-radius')).waiting).toBe(true);
    expect(classify(new ChangeSettlingError('48'))).toMatchObject({ disposition: { kind: 'reschedule', delayMs: 1000 }, waiting: true });
    expect(classify(new ReconcileAbortedError('shutdown')).waiting).toBe(false);
    expect(classify(new IotRescheduleError(42_000)).waiting).toBe(false);
    expect(classify(new Error('boom')).waiting).toBe(false);
  });

  it('an abort (shutdown, budget, lost renewal) reschedules at once', () => {
    expect(classify(new ReconcileAbortedError('shutdown')).disposition).toMatchObject({ kind: 'reschedule', delayMs: 0 });
  });

  it.each([
    [new IotApiPermanentError('limit', { status: 409, code: 'LICENSE_LIMIT_REACHED' }), 'licence_limit'],
    [new IotApiPermanentError('bad', { status: 409, code: 'INVALID_STATUS_TRANSITION' }), 'invalid_transition'],
    [new IotApiPermanentError('invalid', { status: 422, fieldErrors: [{ field: 'email', message: 'taken' }] }), 'validation'],
    [new IotApiPermanentError('nope', { status: 400 }), 'api_rejected'],
    [new CustomerValidationError('document', 'CPF check digits do not match'), 'invalid_customer'],
    [new PlanConflictError('terminal'), 'conflict'],
  ])('permanent %p parks as %s', (err, reason) => {
    expect(classify(err).disposition).toMatchObject({ kind: 'park', reason });
  });

  it('park details carry field errors and never a raw CPF', () => {
    const err = new IotApiPermanentError('Document 211.114.963-23 rejected', { status: 422, fieldErrors: [{ field: 'document', message: 'invalid' }] });
    const disposition = classify(err).disposition;
    expect(disposition.kind === 'park' && disposition.detail).toMatch(/document: invalid/);
    expect(JSON.stringify(disposition)).not.toContain('211.114.963-23');
  });
});
