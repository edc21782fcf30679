/**
 * Polls `predicate` until it returns a truthy value or the timeout passes; never a fixed sleep. On
 * timeout the error names what was awaited and carries the predicate's last error (as `cause`).
 */
export async function waitFor<T>(
  predicate: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      // The condition's last error says why it never held (a refused connection, a failed expect).
      if (lastError === undefined) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      const message = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last error: ${message})`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
