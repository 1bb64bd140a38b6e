import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig, requireSection } from '../config/load.js';
import { StranglerError, describeCause } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { writeFileAtomically } from '../core/shared-file.js';
import { connectMysql } from '../migrators/mysql/connect.js';
import { utcSession } from '../migrators/mysql/session.js';
import { formatPlan } from '../migrators/plan/format-plan.js';
import { databaseOf, loadMappings } from '../migrators/plan/load-mappings.js';
import { binlogReadiness } from '../migrators/mysql/binlog-readiness.js';
import { binlogFacts } from '../migrators/mysql/binlog.js';
import { mappingYaml } from '../migrators/plan/mapping-yaml.js';
import { toPlan } from '../migrators/plan/plan.js';
import type { CliIo } from './io.js';

interface PlanOptions {
  config: string;
  table: string[];
  write?: string;
  json?: boolean;
  data: boolean;
  force?: boolean;
}

/** Written beside the target then renamed over it, so a failed write leaves no half file. */
async function writeMapping(file: string, text: string): Promise<void> {
  try {
    await writeFileAtomically(file, text);
  } catch (err) {
    throw new StranglerError('STRANGLER_E_USAGE', `--write ${file}: cannot write the mapping: ${describeCause(err)}`, {
      cause: err,
      hint: 'pass a path in an existing, writable folder',
    });
  }
}

export function migratePlanCommand(io: CliIo): Command {
  return new Command('plan')
    .description('read the MySQL schema (and data facts) and print, per table, the key, property types, index exclusions, row count and every risk')
    .requiredOption('-c, --config <file>', 'config file (YAML or JSON)')
    .option('--table <name>', 'only this table (repeatable); default: migrate.tables, or every table when it is empty', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--write <file>', 'write the mapping as YAML (the value of migrate.tables) to edit')
    .option('--json', 'print the plan as JSON')
    .option('--force', 'let --write replace an existing file')
    .option('--no-data', 'read the schema only: no aggregate query over the rows (faster; data risks are not checked)')
    .action(async (opts: PlanOptions) => {
      // Checked before anything else: an edited mapping is not overwritten by accident.
      if (opts.write && existsSync(opts.write) && !opts.force) {
        throw new StranglerError('STRANGLER_E_USAGE', `--write ${opts.write}: the file exists`, { hint: 'pass --force to replace it, or write to another file' });
      }
      const config = loadConfig(opts.config, io.env);
      const migrate = requireSection(config, 'migrate');
      const conn = await connectMysql(migrate.source);
      try {
        await utcSession(conn);
        const loaded = await loadMappings(migrate, conn, {
          file: config.file,
          baseDir: config.baseDir,
          tables: opts.table,
          facts: opts.data ? 'all' : 'none',
          // Named tables (configured or --table) must be migratable; a whole-database survey lists refusals.
          refused: opts.table.length > 0 ? 'throw' : 'report',
        });
        const plan = toPlan(databaseOf(migrate.source), migrate, loaded);
        if (opts.data) plan.binlog = binlogReadiness(await binlogFacts(conn));
        io.stdout.write(redact(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan)));
        if (opts.write) {
          const file = path.resolve(opts.write);
          await writeMapping(file, mappingYaml(plan));
          (opts.json ? io.stderr : io.stdout).write(`mapping written to ${opts.write} (${plan.tables.length - plan.summary.refused} table(s)): edit it and put it under migrate.tables\n`);
        }
      } finally {
        await conn.end().catch(() => undefined);
      }
    });
}
