import { formatCheckResults, hasFailure } from '../../../src/ops/doctor-check';

describe('formatCheckResults', () => {
  it('prints one aligned line per check, a fix under each problem, and a verdict', () => {
    const results = [
      { name: 'database', status: 'ok' as const, message: 'connected', fix: 'never shown' },
      { name: 'binlog format', status: 'fail' as const, message: 'binlog_format=MIXED', fix: 'set ROW' },
      { name: 'retention', status: 'warn' as const, message: 'short', fix: 'keep longer' },
    ];
    const lines = formatCheckResults(results);
    expect(lines).toEqual([
      'ok    database       connected',
      'FAIL  binlog format  binlog_format=MIXED',
      '                     fix: set ROW',
      'WARN  retention      short',
      '                     fix: keep longer',
      '',
      '1 check failed.',
    ]);
    expect(hasFailure(results)).toBe(true);
    expect(formatCheckResults([results[0]!]).at(-1)).toBe('All checks passed.');
  });
});
