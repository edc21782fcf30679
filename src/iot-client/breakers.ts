import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { PlatformError } from '../handlers/ports/platform-errors';
import { IotBreakerOpenError } from './errors';

export type BreakerState = 'closed' | 'open' | 'halfOpen';

export interface BreakerOptions {
  /** @defaultValue 50 */
  errorThresholdPercent: number;
  /** Calls in the window before an endpoint breaker may open. @defaultValue 5 */
  volumeThreshold: number;
  /**
   * The same for the host breaker, which sees every endpoint's calls: higher, so one failing
   * endpoint opens its own breaker before it takes the whole host down. @defaultValue 20
   */
  hostVolumeThreshold: number;
  /** @defaultValue 30000 */
  resetTimeoutMs: number;
  /** @defaultValue 10000 */
  rollingWindowMs: number;
}

export const HOST_BREAKER = 'host';

export interface BreakerEvent {
  breaker: string;
  state: BreakerState;
}

/**
 * opossum breakers: one per endpoint (`POST /customers`) plus one for the host. Only transient
 * failures count (5xx, timeouts, resets, refused connections); 4xx answers and 429 are answers,
 * not outages. An open breaker rejects with IotBreakerOpenError without calling.
 * Emits `breaker:open`, `breaker:halfOpen`, `breaker:close` with a BreakerEvent.
 */
export interface BreakerRegistry {
  run<T>(endpoint: string, fn: () => Promise<T>): Promise<T>;
  /** Creates these breakers now (closed), so `states()` lists them before their first call. */
  declare(names: readonly string[]): void;
  states(): Record<string, BreakerState>;
  events: EventEmitter;
  shutdown(): void;
}

type Action = (fn: () => Promise<unknown>) => Promise<unknown>;

/** True for errors that must NOT count as a breaker failure. */
function isAnswer(err: unknown): boolean {
  if (err instanceof IotBreakerOpenError) return true;
  if (err instanceof PlatformError) {
    if (err.status === undefined) return false; // network-level failure
    return err.status < 500;
  }
  return false;
}

export function createBreakerRegistry(options: BreakerOptions): BreakerRegistry {
  const events = new EventEmitter();
  const breakers = new Map<string, CircuitBreaker<[() => Promise<unknown>], unknown>>();

  const stateOf = (b: CircuitBreaker): BreakerState => (b.opened ? 'open' : b.halfOpen ? 'halfOpen' : 'closed');

  const get = (name: string) => {
    let breaker = breakers.get(name);
    if (!breaker) {
      const action: Action = (fn) => fn();
      breaker = new CircuitBreaker(action, {
        name,
        timeout: false,
        errorThresholdPercentage: options.errorThresholdPercent,
        volumeThreshold: name === HOST_BREAKER ? options.hostVolumeThreshold : options.volumeThreshold,
        resetTimeout: options.resetTimeoutMs,
        rollingCountTimeout: options.rollingWindowMs,
        rollingCountBuckets: 10,
        errorFilter: isAnswer,
      });
      const emit = (state: BreakerState) => {
        try {
          events.emit(state === 'closed' ? 'breaker:close' : `breaker:${state}`, { breaker: name, state } satisfies BreakerEvent);
        } catch {
          // a listener must not break the client
        }
      };
      breaker.on('open', () => emit('open'));
      breaker.on('halfOpen', () => emit('halfOpen'));
      breaker.on('close', () => emit('closed'));
      breakers.set(name, breaker);
    }
    return breaker;
  };

  const fire = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const breaker = get(name);
    try {
      return (await breaker.fire(fn)) as T;
    } catch (err) {
      if ((err as { code?: string } | null)?.code === 'EOPENBREAKER') throw new IotBreakerOpenError(name);
      throw err;
    }
  };

  return {
    run: (endpoint, fn) => fire(HOST_BREAKER, () => fire(endpoint, fn)),
    declare: (names) => names.forEach((name) => get(name)),
    states: () => Object.fromEntries([...breakers].map(([name, b]) => [name, stateOf(b)])),
    events,
    shutdown() {
      for (const b of breakers.values()) b.shutdown();
      breakers.clear();
    },
  };
}
