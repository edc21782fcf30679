import type { Command } from 'commander';
import { changeTopics } from '../../consumers/change-topics';
import { createAppDataSource } from '../../entities/create-data-source';
import { createWorkSet } from '../../handlers/work-set/work-set';
import { parseReplayFrom, replayTopics, type ReplayProgress } from '../../ops/replay';
import { readReplayOutcomes } from '../../ops/replay-outcomes';
import { formatDuration } from '../../ops/status-text';
import type { CliContext } from '../cli-context';

const LIVE_WORKER_MS = 60_000;

/** A bar on a terminal, a line every 10% elsewhere (CI logs). Progress goes to stderr. */
function progressRenderer(): { update(p: ReplayProgress): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let lastDecile = -1;
  return {
    update(p) {
      const ratio = p.total === 0 ? 1 : Math.min(1, p.read / p.total);
      const text = `${p.read}/${p.total} records, ${p.contracts} contract(s) marked`;
      if (tty) {
        const width = 30;
        const filled = Math.round(ratio * width);
        process.stderr.write(`\rreplay [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${text}`);
      } else {
        const decile = Math.floor(ratio * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          process.stderr.write(`replay ${(ratio * 100).toFixed(0)}%: ${text}\n`);
        }
      }
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}

export function registerReplayCommand(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description('Replay change topics through a separate consumer group (the live group is never touched) and mark every affected contract for a verify reconcile')
    .requiredOption('--from <when>', '"earliest" or an ISO time (offsets by timestamp)')
    .option('--topics <topics>', 'comma-separated topics (default: the captured tables\' topics)')
    .option('--wait', 'wait for a running worker to reconcile the marked contracts, then summarise what it did')
    .option('--wait-timeout <seconds>', 'bound on --wait', (v) => Number.parseInt(v, 10), 600)
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { from: string; topics?: string; wait?: boolean; waitTimeout: number; json?: boolean }) => {
      const config = ctx.config();
      const from = parseReplayFrom(opts.from);
      const topics = opts.topics
        ? opts.topics.split(',').map((t) => t.trim()).filter(Boolean)
        : changeTopics(config.kafka.topicPrefix, config.db.ixcDatabase);
      const kafka = ctx.kafka('replay', { retries: 5 });
      const admin = kafka.admin();
      const { dataSource } = createAppDataSource({ ...config.db, poolSize: 2 });
      await dataSource.initialize();
      await admin.connect();
      const workSet = createWorkSet(dataSource, { syncSchema: config.db.syncSchema });
      const query = (sql: string, params: unknown[]): Promise<unknown> => dataSource.query(sql, params);
      const progress = progressRenderer();
      try {
        const started = Date.now();
        const result = await replayTopics(
          {
            kafka,
            admin,
            query,
            mark: workSet.mark,
            onProgress: (p) => progress.update(p),
          },
          { topics, from, liveGroupId: config.kafka.groupId, heartbeatTopicPrefix: config.kafka.heartbeatTopicPrefix },
        );
        progress.done();
        const summary: Record<string, unknown> = { ...result, seconds: (Date.now() - started) / 1000 };
        if (!opts.json) {
          ctx.print(`replayed ${result.read} record(s) from ${result.from} with group ${result.groupId} (deleted) in ${formatDuration((Date.now() - started) / 1000)}`);
          for (const r of result.ranges) ctx.print(`  ${r.topic}[${r.partition}] offsets ${r.from}..${r.to}: ${r.records} read`);
          ctx.print(`${result.contracts.length} contract(s) marked for a verify reconcile${result.undecodable ? `; ${result.undecodable} undecodable record(s) skipped` : ''}`);
          if (!result.complete) ctx.print('warning: some partitions were not read to their end; run the replay again');
        }

        if (opts.wait && result.contracts.length > 0) {
          const workers = await workSet.liveWorkers(LIVE_WORKER_MS);
          if (workers.length === 0) {
            ctx.print('no worker is running: the marks wait for `ixc-iot-sync start` (or `ixc-iot-sync reconcile`)');
          } else {
            const deadline = Date.now() + opts.waitTimeout * 1000;
            let outcomes = await readReplayOutcomes(query, config.db.syncSchema, result.contracts);
            while (outcomes.pending.length > 0 && Date.now() < deadline) {
              process.stderr.write(`waiting: ${outcomes.pending.length} contract(s) not reconciled yet\n`);
              await new Promise((resolve) => setTimeout(resolve, 2_000));
              outcomes = await readReplayOutcomes(query, config.db.syncSchema, result.contracts);
            }
            summary.outcomes = outcomes;
            if (!opts.json) {
              ctx.print(`outcomes: ${Object.entries(outcomes.byOutcome).map(([o, n]) => `${o} ${n}`).join(', ') || 'none yet'}${outcomes.pending.length ? `; ${outcomes.pending.length} still pending` : ''}`);
              for (const a of outcomes.actions) ctx.print(`  contract ${a.contractId}: ${a.actions.join('; ')}`);
              for (const p of outcomes.parked) ctx.print(`  contract ${p.contractId}: parked (${p.reason})`);
            }
            if (outcomes.pending.length > 0) process.exitCode = 1;
          }
        }
        if (opts.json) ctx.print(JSON.stringify(summary, null, 2));
        if (!result.complete) process.exitCode = 1;
      } finally {
        await admin.disconnect().catch(() => undefined);
        await dataSource.destroy().catch(() => undefined);
      }
    });
}
