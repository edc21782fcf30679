import { Command, Option } from 'commander';
import { createWorkSet } from '../../handlers/work-set/work-set';
import { formatHeldChange, heldChangeContracts, listHeldChanges, releaseAllChanges, releaseChange } from '../../handlers/held-changes';
import { reconcileOptionsFromConfig } from '../../handlers/reconcile-options';
import type { ReconcileDeps } from '../../handlers/reconcile-contract';
import type { CliContext } from '../cli-context';
import { openCliPlatform } from './catalog-platform';
import { dryRunPlans } from './reconcile-dry-run';
import { formatReport, loadReports } from './reconcile-report';
import { createProgress, defaultReconcileTimeoutMs } from './reconcile-progress';
import { runMarks } from './reconcile-run';
import { resolveTargets, ReconcileUsageError } from './reconcile-targets';
import { reconcileOrphans } from './reconcile-orphans';

interface ReconcileFlags {
  contract?: string[];
  all?: boolean;
  failed?: boolean;
  verify?: boolean;
  dryRun?: boolean;
  json?: boolean;
  confirm?: boolean | string;
  orphans?: boolean;
  timeout?: string;
}

/** Three maintenance rounds of a worker (30 s each): a heartbeat older than this is a dead worker. */
const WORKER_FRESH_MS = 90_000;

export function registerReconcileCommand(program: Command, ctx: CliContext): void {
  program
    .command('reconcile')
    .description('Mark contracts for reconciliation and wait for the outcome (or only plan them with --dry-run)')
    .option('--contract <id...>', 'contract ids (space or comma separated)')
    .option('--all', 'every contract')
    .option('--failed', 'parked contracts (un-parks them)')
    .option('--verify', 'diff against the platform itself instead of the recorded state')
    .option('--dry-run', 'print the plans; mark, write and change nothing')
    .option('--json', 'machine-readable output')
    .option('--confirm [change]', 'release a change held by the blast-radius guard (its id from "status"), or with --contract those contracts; alone, every held change')
    .option('--orphans', 'list platform subscriptions of this tenant with no live contract in IXC; with --confirm, cancel them (through the blast-radius guard)')
    .addOption(new Option('--timeout <seconds>', 'stop waiting after this long (default: 300 s, or twice what IOT_MAX_RPS needs for the contracts, whichever is larger)'))
    .action(async (flags: ReconcileFlags) => {
      const config = ctx.config();
      const logger = ctx.logger();
      const core = reconcileOptionsFromConfig(config);
      const givenTimeoutMs = flags.timeout === undefined ? null : Number(flags.timeout) * 1000;
      if (givenTimeoutMs !== null && !(givenTimeoutMs > 0)) throw new ReconcileUsageError('--timeout must be a positive number of seconds');
      const platform = await openCliPlatform(config, logger, true);
      try {
        const { dataSource } = platform.app;
        const workSet = createWorkSet(dataSource, core.workSet);
        const deps: ReconcileDeps = { dataSource, workSet, platform: platform.client! };
        const changeId = typeof flags.confirm === 'string' ? flags.confirm : null;
        if (flags.orphans) {
          await reconcileOrphans(ctx, deps, { tenantId: core.reconcile.tenantId, threshold: core.reconcile.blastRadiusThreshold, confirm: flags.confirm, dryRun: flags.dryRun ?? false });
          return;
        }
        if (changeId !== null && (flags.contract?.length || flags.all || flags.failed)) {
          throw new ReconcileUsageError('--confirm <change> releases that change\'s contracts: drop --contract, --all and --failed');
        }
        const syncSchema = config.db.syncSchema;
        const held = await listHeldChanges(dataSource, syncSchema);
        const heldOne = changeId === null ? undefined : held.find((c) => c.id === changeId);

        if (flags.dryRun) {
          const ids = changeId !== null ? await heldChangeContracts(dataSource, syncSchema, changeId) : await resolveTargets(dataSource, syncSchema, { ...flags, confirm: flags.confirm === true, dryRun: true });
          const reports = await dryRunPlans(deps, ids, core.reconcile, flags.verify ?? false);
          const totalActions = reports.reduce((n, r) => n + r.actions.length, 0);
          const shown = heldOne ? [heldOne] : held;
          if (flags.json) ctx.print(JSON.stringify({ dryRun: true, verify: flags.verify ?? false, totalActions, heldChanges: shown, contracts: reports }, null, 2));
          else {
            for (const c of shown) ctx.print(formatHeldChange(c));
            for (const r of reports) {
              ctx.print(`contract ${r.contractId}: ${r.error ? `error ${r.error}` : `desired ${r.target} (${r.why})`}`);
              if (r.ownership) ctx.print(`  ${r.ownership}`);
              for (const a of r.actions) ctx.print(`  - ${a}`);
              if (r.park) ctx.print(`  would park: ${r.park.reason} — ${r.park.detail}`);
            }
            ctx.print(`${ids.length} contract(s), ${totalActions} action(s) planned (dry run: nothing changed)`);
          }
          if (reports.some((r) => r.error)) process.exitCode = 1;
          return;
        }

        // A change is released as a whole: confirmed, then its parked contracts are marked.
        const ids = changeId !== null ? await releaseChange(dataSource, syncSchema, changeId) : await resolveTargets(dataSource, syncSchema, flags);
        if (flags.confirm === true && !flags.contract?.length) await releaseAllChanges(dataSource, syncSchema);
        // The mark below un-parks (attempts reset) and, for --confirm, carries the confirmation: one generation, one run.
        if (flags.confirm) await workSet.confirm(flags.all ? 'all' : ids);
        const timeoutMs = givenTimeoutMs ?? defaultReconcileTimeoutMs(ids.length, config.iot.maxRequestsPerSecond);
        // Progress on stderr (stdout keeps the report): in place on a terminal, every 10 % otherwise.
        const progress = flags.json || ids.length < 2 ? null : createProgress({ total: ids.length, isTTY: process.stderr.isTTY === true, write: (t) => process.stderr.write(t) });
        const run = await runMarks(dataSource, deps, ids, {
          verify: flags.verify ?? false,
          timeoutMs,
          onProgress: (settled) => progress?.update(settled),
          pollMs: 200,
          slots: core.slots,
          reconcile: core.reconcile,
          workerFreshMs: WORKER_FRESH_MS,
          onReconcileEnd: () => platform.audit.flush(),
          logger,
        });
        progress?.finish();
        const reports = await loadReports(dataSource, config.db.syncSchema, ids);
        const bad = reports.filter((r) => r.dirty || r.park !== null);
        if (flags.json) ctx.print(JSON.stringify({ ranLocally: run.ranLocally, timedOut: run.timedOut, contracts: reports }, null, 2));
        else {
          for (const r of reports) for (const line of formatReport(r)) ctx.print(line);
          ctx.print(
            `${reports.length} contract(s): ${reports.length - bad.length} done, ${bad.length} parked or pending` +
              `${run.ranLocally ? '' : ' (reconciled by the running worker)'}${run.timedOut ? '; stopped waiting (timeout)' : ''}`,
          );
        }
        if (bad.length > 0 || run.timedOut) process.exitCode = 1;
      } finally {
        await platform.close();
      }
    });
}

