import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import { activeHandles, closeHandle, describeHandle, TimerTracker } from './leaked-resources';

/**
 * A socket closed in afterAll may still be open for a few event-loop turns (a pool's `end()` resolves
 * before the TCP close completes), so a leak is only reported once it outlives this window. A file
 * that closes everything pays nothing: the check passes on its first look.
 */
const GRACE_MS = 500;
const POLL_MS = 10;

/**
 * The Node environment plus a leak check: after a test file's own afterAll hooks, every handle that
 * keeps the process alive (a socket, a server, a child process) and was not open when the file
 * started, and every ref'd timer the file started, must be gone, or the file fails naming what it
 * left open. Jest alone only warns ("did not exit") or force-kills its workers, so a leak would
 * otherwise pass unnoticed. Unref'd timers and handles do not keep the process alive: not leaks.
 *
 * Timers are followed through the file's own `setTimeout`/`setInterval` (modules the file loads use
 * them too) rather than by counting `process.getActiveResourcesInfo()`, which also lists Jest's own
 * short-lived timers. A timer taken from `node:timers` directly is not seen.
 */
export default class LeakCheckingEnvironment extends NodeEnvironment {
  // Taken before the test file or its setup files run: what Jest itself and earlier files hold.
  private readonly baselineHandles = new Set(activeHandles());
  private readonly timers = new TimerTracker();

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.timers.install(this.global);
  }

  async handleTestEvent(event: Circus.Event, state: Circus.State): Promise<void> {
    if (event.name !== 'run_finish') return;
    const leak = await this.leakAfterGrace();
    if (leak.handles.length === 0 && leak.timers.length === 0) return;
    const lines = [
      ...leak.handles.map(describeHandle),
      ...leak.timers.map((timer) => `${timer.kind} created ${timer.createdAt()}`),
    ];
    // Ended after being named, so they neither reach into the next file run in this process nor
    // keep Jest from exiting.
    leak.handles.forEach(closeHandle);
    leak.timers.forEach((timer) => clearTimeout(timer.timer));
    const error = new Error(
      `Test file left ${lines.length} resource(s) open after its afterAll hooks:\n  ${lines.join('\n  ')}\n` +
        'Close what the file opens (pool.end(), consumer.disconnect(), server.close(), clearInterval) in afterAll.',
    );
    // The lines above say where; this file's frames (and a second copy of the message) would be noise.
    error.stack = '';
    state.unhandledErrors.push(error);
  }

  private async leakAfterGrace() {
    const deadline = Date.now() + GRACE_MS;
    for (;;) {
      const handles = activeHandles().filter((handle) => !this.baselineHandles.has(handle));
      const timers = this.timers.pending();
      if ((handles.length === 0 && timers.length === 0) || Date.now() >= deadline) return { handles, timers };
      // This timer is Node's own (not the file's) and has fired by the next look.
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
