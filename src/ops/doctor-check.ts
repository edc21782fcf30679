/** One line of `doctor`: what was checked, how it went, and what to do about it. */
type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** What was found; never a secret. */
  message: string;
  /** What to do, when something is wrong. */
  fix?: string;
}

const LABEL: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/** Fixed-width lines for a terminal: `FAIL  binlog enabled  …` then an indented `fix:` line. */
export function formatCheckResults(results: readonly CheckResult[]): string[] {
  const width = Math.max(...results.map((r) => r.name.length), 10);
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${LABEL[r.status]}  ${r.name.padEnd(width)}  ${r.message}`);
    if (r.fix && r.status !== 'ok') lines.push(`${' '.repeat(width + 8)}fix: ${r.fix}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push('', failed === 0 ? `All checks passed${warned ? ` (${warned} warning${warned > 1 ? 's' : ''})` : ''}.` : `${failed} check${failed > 1 ? 's' : ''} failed.`);
  return lines;
}

export function hasFailure(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.status === 'fail');
}
