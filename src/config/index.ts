export * from './app-config';
export { ConfigError } from './config-error';
export { loadConfig } from './load-config';
export { requireSetting } from './require-setting';
