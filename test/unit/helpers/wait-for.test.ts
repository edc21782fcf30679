import { waitFor } from '../../helpers/wait-for';

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : null), { intervalMs: 1 })).resolves.toBe(3);
  });

  it("reports the condition's last error, whatever was thrown, and keeps it as the cause", async () => {
    let n = 0;
    const failure = waitFor(
      () => {
        n += 1;
        throw n % 2 === 0 ? new Error(`attempt ${n} failed`) : `plain ${n}`;
      },
      { timeoutMs: 30, intervalMs: 1, what: 'the thing' },
    );
    const err = (await failure.catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(new RegExp(`^Timed out after 30 ms waiting for the thing \\(last error: (attempt|plain) ${n}( failed)?\\)$`));
    expect(err.cause === undefined).toBe(false);
  });

  it('names what it waited for when the condition never threw', async () => {
    await expect(waitFor(() => false, { timeoutMs: 10, intervalMs: 1, what: 'nothing' })).rejects.toThrow(/^Timed out after 10 ms waiting for nothing$/);
  });
});
