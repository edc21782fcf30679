import type { MigrationInterface } from 'typeorm';
import { ixcIotTablesMigration } from './m0001-ixc-iot-tables';
import { syncSchemaMigration } from './m0002-sync-schema';
import { reconcileControlMigration } from './m0003-reconcile-control';
import { maintenanceRunsMigration } from './m0004-maintenance-runs';
import { sourceChangeTimeMigration } from './m0005-source-change-time';
import { ownershipAndLicenceHistoryMigration } from './m0006-ownership-and-licence-history';
import { changeGuardMigration } from './m0007-change-guard';
import { documentKeysMigration } from './m0008-document-keys';
import { licenceSpellingMigration } from './m0009-licence-spelling';
import type { SchemaNames } from './schema-names';

export type MigrationClass = new () => MigrationInterface;

/**
 * Every migration, in order. Each is a factory closing over the configured schema names, because
 * both the IXC database and the project schema are named by configuration. Append new ones here.
 */
export function allMigrations(names: SchemaNames): MigrationClass[] {
  return [
    ixcIotTablesMigration(names), syncSchemaMigration(names), reconcileControlMigration(names), maintenanceRunsMigration(names), sourceChangeTimeMigration(names),
    ownershipAndLicenceHistoryMigration(names),
    changeGuardMigration(names),
    documentKeysMigration(names),
    licenceSpellingMigration(names),
  ];
}
