import type { Command } from 'commander';
import { EXIT_CODES_HELP } from './exit-codes';

const DB = ['IXC_DB_*', 'SYNC_DB_SCHEMA'];
const KAFKA = ['KAFKA_*'];
const CONNECT = ['CONNECT_URL', 'CONNECTOR_NAME', 'CONNECT_METRICS_URL'];
const IOT = ['IOT_*'];
const RECONCILE = ['RECONCILE_*', 'POLICY_*', 'BLAST_RADIUS_THRESHOLD', 'PARKED_RETRY_INTERVAL_MS'];
const LOG = ['LOG_*'];

/**
 * The environment variables each top-level command reads (`*` stands for every variable with
 * that prefix in .env.example; a unit test checks each entry against it). Subcommands read
 * their parent's. Shown at the end of each command's `--help`.
 */
export const COMMAND_ENVIRONMENT: Readonly<Record<string, readonly string[]>> = {
  migrate: [...DB, ...LOG],
  config: ['every variable of .env.example'],
  stack: ['CDC_*', 'DEBEZIUM_DB_PASSWORD', 'IXC_DB_NAME', 'KAFKA_TOPIC_PREFIX', 'KAFKA_DLQ_TOPIC', 'KAFKA_HEARTBEAT_TOPIC_PREFIX', 'CONNECTOR_NAME', ...LOG],
  sandbox: ['SANDBOX_*', ...LOG],
  doctor: [...DB, ...KAFKA, ...CONNECT, ...IOT, ...LOG],
  catalog: [...DB, ...IOT, ...LOG],
  integration: [...DB, ...IOT, ...LOG],
  reconcile: [...DB, ...IOT, ...RECONCILE, ...LOG],
  status: [...DB, ...KAFKA, ...CONNECT, ...IOT, ...RECONCILE, ...LOG],
  dlq: [...DB, ...KAFKA, ...LOG],
  replay: [...DB, ...KAFKA, ...LOG],
  start: [...DB, ...KAFKA, ...CONNECT, ...IOT, ...RECONCILE, 'SHUTDOWN_TIMEOUT_MS', 'AUDIT_*', 'OPS_*', ...LOG],
  demo: [...DB, ...KAFKA, ...CONNECT, 'CDC_*', 'SANDBOX_*', ...IOT, ...RECONCILE, 'OPS_*', ...LOG],
};

/** Adds "Environment:" and the exit codes to the help of every command and subcommand. */
export function describeEnvironment(program: Command): void {
  for (const command of program.commands) {
    const variables = COMMAND_ENVIRONMENT[command.name()];
    if (!variables) throw new Error(`COMMAND_ENVIRONMENT has no entry for the command "${command.name()}"`);
    const text = [
      '',
      'Environment (secrets also as NAME_FILE, a file holding the value):',
      `  ${variables.join(', ')}`,
      '',
      EXIT_CODES_HELP,
    ].join('\n');
    for (const c of [command, ...command.commands]) c.addHelpText('after', text);
  }
}
