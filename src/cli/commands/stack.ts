import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createLocalStack, type StackStatus } from '../../stack/local-stack';
import { registerConnectorFromConfig } from '../../stack/register-from-config';
import type { CliContext } from '../cli-context';

export function registerStackCommand(program: Command, ctx: CliContext): void {
  const stack = program
    .command('stack')
    .description('The local CDC stack without Docker: MariaDB (row binlog) → Kafka (KRaft) → Connect + Debezium');
  const create = (options: { secure?: boolean } = {}) => {
    const config = ctx.config();
    const secure = options.secure === true || config.stack.secure;
    return createLocalStack({ ...config, stack: { ...config.stack, secure } }, { report: (line) => ctx.print(line) });
  };

  stack
    .command('up')
    .description('Download the jars if needed, start what is not running, register the connector; idempotent')
    .option('--record-started <file>', 'write the services this run started (one per line; empty when none) to <file>')
    .option('--secure', 'SASL_SSL-only Kafka, MariaDB requiring TLS for the worker and Debezium, certificates in the stack home (also CDC_SECURE=true)')
    .action(async (opts: { recordStarted?: string; secure?: boolean }) => {
      const t0 = Date.now();
      const local = create({ secure: opts.secure === true });
      const record = (services: readonly string[]): void => {
        if (opts.recordStarted) writeFileSync(opts.recordStarted, services.map((s) => `${s}\n`).join(''));
      };
      const before = await local.status();
      let result;
      try {
        result = await local.up();
      } catch (err) {
        // A failed `up` may have started some services: record them too, so the caller stops them.
        const after = await local.status();
        record(after.services.filter((s, i) => s.pid !== null && s.pid !== before.services[i]?.pid).map((s) => s.service));
        throw err;
      }
      record(result.started);
      const steps = Object.entries(result.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`).join(', ');
      ctx.print(
        `${result.started.length === 0 ? 'Stack already running' : `Started ${result.started.join(', ')}`} ` +
          `in ${((Date.now() - t0) / 1000).toFixed(1)} s (${steps}).`,
      );
    });

  stack
    .command('down')
    .description('Stop exactly the processes the stack started (by PID file: TERM, bounded wait, KILL)')
    .action(async () => {
      const result = await create().down();
      ctx.print(Object.entries(result).map(([service, how]) => `${service}: ${how}`).join(', '));
    });

  stack
    .command('status')
    .description('Each service, its PID and port, and the connector and task state; exit code 3 when not healthy')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const status = await create().status();
      ctx.print(opts.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      if (!status.healthy) process.exitCode = 3;
    });

  stack
    .command('register')
    .description('Register the connector on a Connect the stack did not start (compose): CONNECT_URL, CDC_CONNECTOR_*, CDC_CONNECTOR_PASSWORD_REF (a config provider reference, never the password)')
    .action(async () => {
      const result = await registerConnectorFromConfig(ctx.config());
      ctx.print(`Connector ${ctx.config().connect.connectorName} ${result.created ? 'created' : 'updated'}: ${result.state}`);
    });

  stack
    .command('reset')
    .description('Stop the stack and wipe the MariaDB, KRaft and Connect data together (the jar cache stays)')
    .action(async () => {
      await create().reset();
      ctx.print('Stack stopped and its data wiped; the next `stack up` starts from the fixture.');
    });
}

function formatStatus(status: StackStatus): string {
  const lines = [`home ${status.home}`];
  for (const s of status.services) {
    lines.push(`${s.service.padEnd(8)} ${s.pid === null ? 'stopped' : `pid ${s.pid}`}, port ${s.port} ${s.listening ? 'listening' : 'closed'}`);
  }
  const c = status.connector;
  lines.push(c ? `connector ${c.connector.state}; tasks ${c.tasks.map((t) => `${t.id}:${t.state}`).join(', ') || 'none'}` : 'connector unknown (Connect not running or connector absent)');
  lines.push(status.healthy ? 'healthy' : 'NOT healthy');
  return lines.join('\n');
}
