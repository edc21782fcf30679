/**
 * The IoT platform client, the adapter behind the IotPlatform port. What the rest of the worker uses:
 * - createIotPlatformClient(deps, options): IotPlatformClient (implements the IotPlatform port)
 * - createIntegrationTokenStore(dataSource, integrationId), createApiAuditRecorder(deps, options), purgeApiAudit(...)
 * - iotClientOptionsFromConfig(config.iot)
 * External references, fingerprints and customer validation are domain rules: `src/handlers/domain/`.
 */
export { createIotPlatformClient, type IotPlatformClient, type IotPlatformClientDeps, type LimiterWaitEvent } from './iot-platform-client';
export { iotClientOptionsFromConfig, resolveIotClientOptions, type IotClientOptions } from './client-options';
export { createIntegrationTokenStore, createMemoryTokenStore, type TokenStore } from './token-store';
export { createApiAuditRecorder, type ApiAuditRecorder, type ApiAuditEntry, type ApiAuditRecorderOptions } from './api-audit-recorder';
export { purgeApiAudit, type ApiAuditPurgeOptions } from './api-audit-purge';
export type { BreakerState, BreakerEvent } from './breakers';
export type { RequestEvent } from './http-transport';
export * from './errors';
