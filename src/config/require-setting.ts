import { ConfigError } from './config-error';

/** Narrows an optional setting that the current command needs, naming the variable when it is missing. */
export function requireSetting<T>(value: T | undefined, variable: string, why: string): T {
  if (value === undefined) throw new ConfigError([`${variable} is required ${why}`]);
  return value;
}
