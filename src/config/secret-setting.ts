import { readFileSync } from 'node:fs';
import { registerSecretValue } from '../lib/mask';

type Env = Readonly<Record<string, string | undefined>>;

interface SecretSetting {
  value: string | undefined;
  /** Set when the variable or its `_FILE` twin is unusable; names the variable, never the value. */
  problem?: string;
}

/**
 * Reads a secret from `NAME` or from the file named by `NAME_FILE` (container and systemd
 * secrets), never both. A file's trailing newline is dropped. Every value read is registered with
 * the masker, so it is removed wherever it would be printed, whatever the key it travels under.
 */
export function readSecretSetting(env: Env, name: string): SecretSetting {
  const direct = nonBlank(env[name]);
  const fileVariable = `${name}_FILE`;
  const file = nonBlank(env[fileVariable]);
  if (direct !== undefined && file !== undefined) {
    return { value: undefined, problem: `${name} and ${fileVariable} are both set: set only one` };
  }
  if (file === undefined) {
    if (direct !== undefined) registerSecretValue(direct);
    return { value: direct };
  }
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (thrown) {
    const code = (thrown as { code?: string }).code ?? 'unreadable';
    return { value: undefined, problem: `${fileVariable} names a file that cannot be read (${code}): ${file}` };
  }
  const value = content.replace(/\r?\n$/, '');
  if (value.trim() === '') return { value: undefined, problem: `${fileVariable} names an empty file: ${file}` };
  registerSecretValue(value);
  return { value };
}

function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
