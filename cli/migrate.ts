import { Command } from 'commander';
import type { CliIo } from './io.js';
import { migratePlanCommand } from './migrate-plan.js';
import { migrateRunCommand } from './migrate-run.js';
import { migrateStatusCommand } from './migrate-status.js';
import { migrateSyncCommand } from './migrate-sync.js';
import { migrateFollowCommand } from './migrate-follow.js';
import { migrateReverseCommand } from './migrate-reverse.js';
import { migrateVerifyCommand } from './migrate-verify.js';

/** `strangler migrate …`: one subcommand per file (cli/migrate-<name>.ts). */
export function migrateCommand(io: CliIo): Command {
  return new Command('migrate')
    .description('copy MySQL tables into Datastore: plan, run, status, verify, sync')
    .addCommand(migratePlanCommand(io))
    .addCommand(migrateRunCommand(io))
    .addCommand(migrateStatusCommand(io))
    .addCommand(migrateVerifyCommand(io))
    .addCommand(migrateSyncCommand(io))
    .addCommand(migrateFollowCommand(io))
    .addCommand(migrateReverseCommand(io));
}
