import { readFileSync } from 'node:fs';

type Env = Readonly<Record<string, string | undefined>>;

export interface SecretSetting {
  value: string | undefined;
  /** Set when the variable or its `_FILE` twin is unusable; names the variable, never the value. */
  problem?: string;
}

/**
 * Reads a secret from `NAME` or from the file named by `NAME_FILE` (container and systemd
 * secrets), never both. A file's trailing newline is dropped.
 * Same API as the `secrets` branch's helper (which also registers each value with the masker):
 * at merge, keep that one.
 */
export function readSecretSetting(env: Env, name: string): SecretSetting {
  const direct = nonBlank(env[name]);
  const fileVariable = `${name}_FILE`;
  const file = nonBlank(env[fileVariable]);
  if (direct !== undefined && file !== undefined) {
    return { value: undefined, problem: `${name} and ${fileVariable} are both set: set only one` };
  }
  if (file === undefined) return { value: direct };
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (thrown) {
    const code = (thrown as { code?: string }).code ?? 'unreadable';
    return { value: undefined, problem: `${fileVariable} names a file that cannot be read (${code}): ${file}` };
  }
  const value = content.replace(/\r?\n$/, '');
  if (value.trim() === '') return { value: undefined, problem: `${fileVariable} names an empty file: ${file}` };
  return { value };
}

function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
