export * from './app-config';
export { ConfigError } from './config-error';
export { loadConfig, minPoolSize, POOL_CONNECTIONS_BESIDES_SLOTS } from './load-config';
export { requireSetting } from './require-setting';
