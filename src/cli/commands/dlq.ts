import type { Command } from 'commander';
import { createAppDataSource } from '../../entities/create-data-source';
import { createWorkSet } from '../../handlers/work-set/work-set';
import { listDeadLetters, redriveDeadLetters } from '../../ops/dead-letters';
import type { CliContext } from '../cli-context';

export function registerDlqCommand(program: Command, ctx: CliContext): void {
  const dlq = program.command('dlq').description("The dead-letter topic: records the consumer could not decode (Connect's topics are never written)");

  dlq
    .command('list')
    .description('Show the newest dead letters: origin, error class and message (masked)')
    .option('--limit <n>', 'how many', (v) => Math.max(1, Number.parseInt(v, 10) || 20), 20)
    .option('--json', 'print JSON')
    .action(async (opts: { limit: number; json?: boolean }) => {
      const config = ctx.config();
      const kafka = ctx.kafka('dlq');
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { total, letters } = await listDeadLetters({ kafka, admin }, { topic: config.kafka.dlqTopic, limit: opts.limit, groupPrefix: `${config.kafka.groupId}.cli` });
        if (opts.json) {
          ctx.print(JSON.stringify({ topic: config.kafka.dlqTopic, total, letters }, null, 2));
          return;
        }
        ctx.print(`${config.kafka.dlqTopic}: ${total} dead letter(s)${total > letters.length ? `, newest ${letters.length} shown` : ''}`);
        for (const l of letters) {
          const origin = l.original ? `${l.original.topic}[${l.original.partition}]@${l.original.offset}` : 'unknown origin';
          ctx.print(`  [${l.partition}]@${l.offset}  ${l.failedAt ?? '?'}  ${origin}  ${l.errorClass ?? '?'}: ${l.error ?? ''}`);
        }
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    });

  dlq
    .command('redrive')
    .description('Re-decode every dead letter and mark the contracts of those that decode now; the rest stay')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = ctx.config();
      const kafka = ctx.kafka('dlq');
      const admin = kafka.admin();
      const { dataSource } = createAppDataSource({ ...config.db, poolSize: 2 });
      await dataSource.initialize();
      await admin.connect();
      try {
        const result = await redriveDeadLetters(
          {
            kafka,
            admin,
            query: (sql, params) => dataSource.query(sql, params),
            mark: createWorkSet(dataSource, { syncSchema: config.db.syncSchema }).mark,
          },
          { topic: config.kafka.dlqTopic, groupPrefix: `${config.kafka.groupId}.cli`, heartbeatTopicPrefix: config.kafka.heartbeatTopicPrefix },
        );
        if (opts.json) ctx.print(JSON.stringify(result, null, 2));
        else {
          ctx.print(`read ${result.read} dead letter(s): ${result.redriven} decode now, ${result.contractsMarked} contract(s) marked; ${result.stillUndecodable.length} still undecodable (left on ${config.kafka.dlqTopic})`);
          for (const l of result.stillUndecodable.slice(0, 20)) {
            ctx.print(`  still undecodable: [${l.partition}]@${l.offset} ${l.original ? `${l.original.topic}@${l.original.offset}` : ''} ${l.error ?? ''}`);
          }
          if (!result.complete) ctx.print('warning: the topic was not read to its end; run redrive again');
        }
        if (!result.complete) process.exitCode = 1;
      } finally {
        await admin.disconnect().catch(() => undefined);
        await dataSource.destroy().catch(() => undefined);
      }
    });
}
