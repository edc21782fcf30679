import { ConfigError } from './config-error';
import { readSecretSetting } from './secret-setting';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads typed values from an environment map, collecting every problem instead of stopping at the
 * first, so an operator fixes a broken `.env` in one pass.
 */
export interface EnvReader {
  str(name: string, fallback: string): string;
  optionalStr(name: string): string | undefined;
  /** A secret from `name` or from the file named by `name_FILE`; registered with the masker. */
  secret(name: string): string | undefined;
  int(name: string, fallback: number, range?: { min?: number; max?: number }): number;
  bool(name: string, fallback: boolean): boolean;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  url(name: string, fallback?: string): string | undefined;
  /** Records a problem found by a check outside the reader. */
  problem(message: string): void;
  /** Throws a ConfigError listing every problem seen so far, if any. */
  finish(): void;
}

export function createEnvReader(env: Env): EnvReader {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  return {
    str: (name, fallback) => raw(name) ?? fallback,
    optionalStr: (name) => raw(name),
    secret(name) {
      const { value, problem } = readSecretSetting(env, name);
      if (problem !== undefined) problems.push(problem);
      return value;
    },
    int(name, fallback, range = {}) {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (!/^-?\d+$/.test(value)) {
        problems.push(`${name} must be a whole number, got "${value}"`);
        return fallback;
      }
      const n = Number(value);
      if (range.min !== undefined && n < range.min) problems.push(`${name} must be >= ${range.min}, got ${n}`);
      if (range.max !== undefined && n > range.max) problems.push(`${name} must be <= ${range.max}, got ${n}`);
      return n;
    },
    bool(name, fallback) {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      problems.push(`${name} must be true or false, got "${value}"`);
      return fallback;
    },
    oneOf(name, allowed, fallback) {
      const value = raw(name);
      if (value === undefined) return fallback;
      const match = allowed.find((a) => a === value);
      if (match === undefined) {
        problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
        return fallback;
      }
      return match;
    },
    url(name, fallback) {
      const value = raw(name) ?? fallback;
      if (value === undefined) return undefined;
      try {
        const parsed = new URL(value);
        if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
        return value.replace(/\/+$/, '');
      } catch {
        problems.push(`${name} must be an http(s) URL, got "${value}"`);
        return fallback;
      }
    },
    problem(message) {
      problems.push(message);
    },
    finish() {
      if (problems.length > 0) throw new ConfigError(problems);
    },
  };
}
