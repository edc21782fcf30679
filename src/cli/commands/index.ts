import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { registerConfigCommand } from './config-check';
import { registerDoctorCommand } from './doctor';
import { registerStatusCommand } from './status';
import { registerDlqCommand } from './dlq';
import { registerReplayCommand } from './replay';
import { registerMigrateCommand } from './migrate';
import { registerSandboxCommand } from './sandbox';
import { registerCatalogCommand } from './catalog';
import { registerIntegrationCommand } from './integration';
import { registerStackCommand } from './stack';
import { registerReconcileCommand } from './reconcile';
import { registerStartCommand } from './start';
import { registerDemoCommand } from './demo';

type Register = (program: Command, ctx: CliContext) => void;

/** Every command of the CLI. Each lives in its own file and registers itself here. */
export const COMMANDS: readonly Register[] = [registerMigrateCommand, registerConfigCommand, registerStackCommand, registerSandboxCommand, registerDoctorCommand, registerCatalogCommand, registerIntegrationCommand, registerReconcileCommand, registerStatusCommand, registerDlqCommand, registerReplayCommand, registerStartCommand, registerDemoCommand];
