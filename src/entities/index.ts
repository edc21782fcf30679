export * from './ixc';
export * from './sync';
export { createAppDataSource, type AppDataSource } from './create-data-source';
export { PoolWaitTimeoutError, isPoolWaitTimeout } from './errors';
