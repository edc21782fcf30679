import type { Command } from 'commander';
import { runDemo } from '../../demo/run-demo';
import type { CliContext } from '../cli-context';

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('The main job, end to end on this machine: local CDC stack, sandbox platform, worker, and a scripted story in IXC')
    .option('--keep-running', 'leave the worker, the sandbox and the status page up after the story')
    .action(async (flags: { keepRunning?: boolean }) => {
      await runDemo(ctx.config(), (line) => ctx.print(line), { keepRunning: flags.keepRunning ?? false });
      process.exit();
    });
}
