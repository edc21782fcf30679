import net from 'node:net';
import type { ChildProcess } from 'node:child_process';

/** Node's ref'd handle owners (sockets, servers, child processes); undocumented but long-standing. */
export function activeHandles(): unknown[] {
  const getter = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  return typeof getter === 'function' ? getter.call(process) : [];
}

/** A short name for a handle owner: a socket's peer, a server's address, a child's program. */
export function describeHandle(handle: unknown): string {
  if (handle instanceof net.Server) {
    const address = handle.address();
    return `server on ${typeof address === 'string' ? address : `${address?.address}:${address?.port}`}`;
  }
  if (handle instanceof net.Socket) {
    return handle.remotePort === undefined ? 'socket (not connected)' : `socket to ${handle.remoteAddress}:${handle.remotePort}`;
  }
  // Never the arguments: they may carry credentials.
  if (isChildProcess(handle)) return `child process ${handle.pid} (${handle.spawnfile})`;
  return (handle as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof handle;
}

/** Ends a leaked socket, server or child process; anything else is left alone. */
export function closeHandle(handle: unknown): void {
  if (handle instanceof net.Server) handle.close();
  else if (handle instanceof net.Socket) handle.destroy();
  else if (isChildProcess(handle)) handle.kill('SIGKILL');
}

function isChildProcess(handle: unknown): handle is ChildProcess {
  return (handle as { constructor?: { name?: string } } | null)?.constructor?.name === 'ChildProcess';
}

/** A timer a test file started, with where it was started (the stack is formatted only if it leaks). */
export interface TrackedTimer {
  kind: 'setTimeout' | 'setInterval';
  timer: NodeJS.Timeout;
  createdAt(): string;
}

/** Node's Timeout marks itself destroyed once cleared, or once a one-shot timer has fired. */
type NodeTimeout = NodeJS.Timeout & { _destroyed?: boolean };

// Pruning the fired and cleared timers every so often keeps a file that starts many timers cheap.
const PRUNE_EVERY = 1_000;
const STACK_FRAMES = 12;

/**
 * Follows the timers started through a test file's global `setTimeout` and `setInterval`; `pending`
 * lists those still armed and ref'd, i.e. keeping the process alive.
 */
export class TimerTracker {
  private readonly timers = new Set<TrackedTimer>();

  /** Replaces `setTimeout` and `setInterval` on a test file's global object with tracking wrappers. */
  install(global: object): void {
    const timers = global as Record<'setTimeout' | 'setInterval', (...args: unknown[]) => NodeJS.Timeout>;
    const add = this.add.bind(this);
    for (const kind of ['setTimeout', 'setInterval'] as const) {
      const original = timers[kind];
      const tracked = (...args: unknown[]): NodeJS.Timeout => {
        const timer = original(...args);
        add(kind, timer, tracked);
        return timer;
      };
      // Keeps util.promisify.custom and the like, so promisified timers behave as before.
      for (const key of Reflect.ownKeys(original)) {
        if (!(key in tracked)) Object.defineProperty(tracked, key, Object.getOwnPropertyDescriptor(original, key)!);
      }
      timers[kind] = tracked;
    }
  }

  pending(): TrackedTimer[] {
    return [...this.timers].filter(({ timer }) => !(timer as NodeTimeout)._destroyed && timer.hasRef());
  }

  private add(kind: TrackedTimer['kind'], timer: NodeJS.Timeout, caller: (...args: unknown[]) => unknown): void {
    if (this.timers.size >= PRUNE_EVERY) {
      for (const tracked of this.timers) if ((tracked.timer as NodeTimeout)._destroyed) this.timers.delete(tracked);
    }
    const site: { stack?: string } = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = STACK_FRAMES;
    Error.captureStackTrace(site, caller);
    Error.stackTraceLimit = limit;
    this.timers.add({ kind, timer, createdAt: () => firstOwnFrame(site.stack) });
  }
}

/** The line that started the timer and, when that is a library's, the first of ours that led there. */
function firstOwnFrame(stack: string | undefined): string {
  const frames = (stack ?? '').split('\n').slice(1).map((line) => line.trim());
  const own = frames.find((frame) => !frame.includes('node_modules') && !frame.includes('node:'));
  const first = frames[0] ?? '(no stack)';
  return own === undefined || own === first ? first : `${first}, ${own}`;
}
