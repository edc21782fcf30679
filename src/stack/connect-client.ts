import { StackError } from './errors';
import type { ConnectorConfig } from './connector-template';

type ConnectorState = 'RUNNING' | 'PAUSED' | 'FAILED' | 'UNASSIGNED' | 'RESTARTING' | 'STOPPED';

export interface ConnectorStatus {
  connector: { state: ConnectorState; trace?: string };
  tasks: Array<{ id: number; state: ConnectorState; trace?: string }>;
}

/** The few Kafka Connect REST calls the stack needs. */
export interface ConnectClient {
  /** Create-or-update; idempotent. Returns true when the connector was created. */
  putConnectorConfig(name: string, config: ConnectorConfig): Promise<boolean>;
  /** Null when the connector does not exist (or Connect is not answering). */
  connectorStatus(name: string): Promise<ConnectorStatus | null>;
  /** The stored config (Connect adds `name`); null when the connector does not exist. */
  connectorConfig(name: string): Promise<Record<string, string> | null>;
}

export function createConnectClient(baseUrl: string, timeoutMs = 10_000): ConnectClient {
  return {
    async putConnectorConfig(name, config) {
      const response = await fetch(`${baseUrl}/connectors/${encodeURIComponent(name)}/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(config),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status === 200 || response.status === 201) return response.status === 201;
      const body = await response.text();
      throw new StackError(`Kafka Connect refused the connector config (${response.status}): ${body.slice(0, 2000)}`);
    },
    async connectorConfig(name) {
      const response = await fetch(`${baseUrl}/connectors/${encodeURIComponent(name)}/config`, { signal: AbortSignal.timeout(timeoutMs) });
      if (response.status === 404) return null;
      if (!response.ok) throw new StackError(`Kafka Connect did not return the connector config (${response.status})`);
      return (await response.json()) as Record<string, string>;
    },
    async connectorStatus(name) {
      try {
        const response = await fetch(`${baseUrl}/connectors/${encodeURIComponent(name)}/status`, { signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) return null;
        return (await response.json()) as ConnectorStatus;
      } catch {
        return null;
      }
    },
  };
}
