import type { Orphan } from './orphans/find-orphans';
import { EventEmitter } from 'node:events';
import type { ReconcileOutcome } from './reconcile-contract';
import type { FailureDisposition } from './work-set/work-set-failure';

/** Typed events of the reconcile loop, for metrics (ops/) and tests (STYLE rule 16). */
export interface ReconcileEventMap {
  'reconcile:success': {
    contractId: number;
    outcome: ReconcileOutcome;
    actions: number;
    durationMs: number;
    newerGeneration: boolean;
    warnings: string[];
    /** The oldest IXC change this reconcile covered (null: snapshot or operator marks), for end-to-end latency. */
    sourceTsMs: number | null;
  };
  'reconcile:parked': { contractId: number; reason: string; detail: string };
  'reconcile:failure': { contractId: number; error: Error; disposition: FailureDisposition['kind']; durationMs: number };
  'lease:lost': { contractId: number; error: Error };
  'claim:empty': { slot: number };
  'claim:error': { slot: number; error: Error };
  /** A configuration fault (401 after refresh, 403): every slot pauses. */
  'config:fault': { error: Error; pauseMs: number };
  'maintenance:error': { error: Error };
  /** The daily resync's orphan scan: platform subscriptions of this tenant with no live contract. */
  'orphans:found': { orphans: Orphan[] };
  'slots:stopped': Record<string, never>;
}

export type ReconcileEventName = keyof ReconcileEventMap;

export interface ReconcileEvents {
  on<K extends ReconcileEventName>(event: K, listener: (payload: ReconcileEventMap[K]) => void): () => void;
  once<K extends ReconcileEventName>(event: K, listener: (payload: ReconcileEventMap[K]) => void): () => void;
  /** Never throws: a failing listener cannot break the loop. */
  emit<K extends ReconcileEventName>(event: K, payload: ReconcileEventMap[K]): void;
}

export function createReconcileEvents(onListenerError: (error: unknown) => void = () => undefined): ReconcileEvents {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(100);
  return {
    on(event, listener) {
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
    once(event, listener) {
      emitter.once(event, listener);
      return () => emitter.off(event, listener);
    },
    emit(event, payload) {
      // rawListeners: calling a once() wrapper also removes it.
      for (const listener of emitter.rawListeners(event)) {
        try {
          (listener as (p: typeof payload) => void)(payload);
        } catch (err) {
          try {
            onListenerError(err);
          } catch {
            // a broken error hook must not break the loop either
          }
        }
      }
    },
  };
}
