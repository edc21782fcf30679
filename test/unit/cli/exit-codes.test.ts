import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../../src/config/config-error';
import { createCliContext } from '../../../src/cli/cli-context';
import { COMMAND_ENVIRONMENT, describeEnvironment } from '../../../src/cli/command-environment';
import { COMMANDS } from '../../../src/cli/commands';
import { ReconcileUsageError } from '../../../src/cli/commands/reconcile-targets';
import { EXIT_CODES, EXIT_CODES_HELP, exitCodeFor } from '../../../src/cli/exit-codes';

const ROOT = path.resolve(__dirname, '../../..');

function program(): Command {
  const p = new Command().name('ixc-iot-sync').exitOverride();
  for (const register of COMMANDS) register(p, createCliContext());
  describeEnvironment(p);
  return p;
}

function helpOf(command: Command): string {
  let out = '';
  command.configureOutput({ writeOut: (s) => void (out += s) });
  command.outputHelp();
  return out;
}

describe('exit codes', () => {
  it('usage and configuration errors exit 2: commander, ReconcileUsageError, ConfigError; help exits 0', () => {
    expect(exitCodeFor(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--bogus'"))).toBe(2);
    expect(exitCodeFor(new CommanderError(1, 'commander.missingArgument', 'error: missing required argument'))).toBe(2);
    expect(exitCodeFor(new CommanderError(1, 'commander.unknownCommand', 'error: unknown command'))).toBe(2);
    expect(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(0);
    expect(exitCodeFor(new ReconcileUsageError('Choose one of --contract, --all or --failed'))).toBe(2);
    expect(exitCodeFor(new ConfigError(['IOT_MAX_RPS must be an integer']))).toBe(2);
    expect(exitCodeFor(new Error('connect ECONNREFUSED'))).toBe(1);
  });

  it('a real parse: an unknown option and a missing argument are usage errors', async () => {
    // A bad option value fails in the command's own parser (before any connection is made).
    for (const argv of [['reconcile', '--bogus'], ['catalog', 'link', '1'], ['no-such-command'], ['status', '--contract', 'x'], ['sandbox', '--port', '-3']]) {
      const p = program();
      p.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
      for (const c of p.commands) c.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
      for (const c of p.commands.flatMap((x) => x.commands)) c.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
      const err = await p.parseAsync(['node', 'ixc-iot-sync', ...argv]).then(() => null, (e: Error) => e);
      expect({ argv, code: exitCodeFor(err!) }).toEqual({ argv, code: EXIT_CODES.usage });
    }
  });

  it('one table, in --help and in the README', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const [code] of Object.entries(EXIT_CODES).map(([, v]) => [v])) {
      expect(EXIT_CODES_HELP).toMatch(new RegExp(`^  ${code} `, 'm'));
      expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
    }
  });
});

describe("each command's --help lists the environment it reads", () => {
  const documented = new Set([...readFileSync(path.join(ROOT, '.env.example'), 'utf8').matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));

  it('every command has an entry, and every entry names documented variables', () => {
    const p = program();
    expect(p.commands.map((c) => c.name()).sort()).toEqual(Object.keys(COMMAND_ENVIRONMENT).sort());
    for (const [command, entries] of Object.entries(COMMAND_ENVIRONMENT)) {
      for (const entry of entries.filter((e) => /^[A-Z]/.test(e))) {
        const matches = entry.endsWith('*') ? [...documented].filter((v) => v.startsWith(entry.slice(0, -1))) : [...documented].filter((v) => v === entry);
        expect({ command, entry, documented: matches.length > 0 }).toEqual({ command, entry, documented: true });
      }
    }
  });

  it('shows them, and the exit codes, in the help of commands and subcommands', () => {
    const p = program();
    const reconcile = helpOf(p.commands.find((c) => c.name() === 'reconcile')!);
    expect(reconcile).toContain('Environment');
    expect(reconcile).toContain('IOT_*');
    expect(reconcile).toContain('RECONCILE_*');
    expect(reconcile).toContain('Exit codes:');
    const dlqList = helpOf(p.commands.find((c) => c.name() === 'dlq')!.commands.find((c) => c.name() === 'list')!);
    expect(dlqList).toContain('KAFKA_*');
  });
});
