import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Long-running stack processes: started detached (they outlive the CLI or the test run), output
 * appended to a log file, tracked by a PID file, stopped by PID only (never by name).
 */
export interface ManagedProcessSpec {
  command: string;
  args: readonly string[];
  pidFile: string;
  logFile: string;
  /** A string that must appear in the process's command line; guards against a reused PID. */
  marker: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts the process and records its PID; returns the PID. */
export function startManagedProcess(spec: ManagedProcessSpec): number {
  const out = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, [...spec.args], {
      detached: true,
      stdio: ['ignore', out, out],
      ...(spec.env ? { env: spec.env } : {}),
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    child.unref();
    writeFileSync(spec.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** The PID in the file when that process is alive and still ours; otherwise null (stale files are removed). */
export function runningPid(pidFile: string, marker: string): number | null {
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isOurs(pid, marker)) return pid;
  rmSync(pidFile, { force: true });
  return null;
}

/** True when `pid` is alive (not a zombie) and its command line contains `marker`. */
export function isOurs(pid: number, marker: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/**
 * Stops the process of the PID file: TERM, wait up to `graceMs`, then KILL. Returns how it ended,
 * or 'not-running' when there was nothing of ours to stop.
 */
export async function stopManagedProcess(
  pidFile: string,
  marker: string,
  graceMs: number,
): Promise<'terminated' | 'killed' | 'not-running'> {
  const pid = runningPid(pidFile, marker);
  if (pid === null) return 'not-running';
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, marker, graceMs)) {
    rmSync(pidFile, { force: true });
    return 'terminated';
  }
  signal(pid, 'SIGKILL');
  await waitForExit(pid, marker, 10_000);
  rmSync(pidFile, { force: true });
  return 'killed';
}

/**
 * Waits until the process is gone or a zombie. Not until its cmdline is empty: an exiting process
 * loses its cmdline before it stops running (a JVM tearing down its threads, under load, for
 * seconds), and `down` must not report it stopped while it still holds its ports.
 */
async function waitForExit(pid: number, _marker: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(pid)) return true;
    await sleep(100);
  }
  return exited(pid);
}

function exited(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}
