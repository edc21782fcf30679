import { accessSync, constants } from 'node:fs';
import type { EnvReader } from './env-reader';

/** Checks at load time that a file setting names a readable file, so the error names the variable. */
export function readableFile(r: Pick<EnvReader, 'problem'>, name: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    r.problem(`${name} must name a readable file, got "${file}" (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  return file;
}
