import { readFileSync } from 'node:fs';
import type { EnvReader } from './env-reader';

/**
 * A secret from `NAME` or from the file named by `NAME_FILE` (container and systemd secrets), never
 * both. The file's trailing newline is dropped; an unreadable file is a problem naming `NAME_FILE`.
 */
export function secretSetting(r: Pick<EnvReader, 'optionalStr' | 'problem'>, name: string): string | undefined {
  const inline = r.optionalStr(name);
  const file = r.optionalStr(`${name}_FILE`);
  if (file === undefined) return inline;
  if (inline !== undefined) {
    r.problem(`${name} and ${name}_FILE are both set; keep one`);
    return inline;
  }
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    r.problem(`${name}_FILE must name a readable file, got "${file}" (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    return undefined;
  }
}
