import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { StranglerError } from '../core/errors.js';
import type { TableVerification } from '../migrators/verify/report.js';
import { verifyTables } from '../migrators/verify/verify-tables.js';
import type { CliIo } from './io.js';
import { openMigrate } from '../wiring/migrate.js';
import { intArg, samplePercentArg } from './args.js';

interface VerifyOptions {
  config: string;
  table?: string[];
  sample: number;
  report?: string;
  concurrency: number;
  json?: boolean;
}

function tableLines(t: TableVerification): string[] {
  const head =
    `${t.clean ? 'CLEAN' : 'DIFF '} ${t.table} → ${t.kind}: ${t.sourceRows} row(s), ${t.targetEntities} entit${t.targetEntities === 1 ? 'y' : 'ies'}; ` +
    `${t.chunksCompared}/${t.chunks} chunk(s) compared${t.sample < 100 ? ` (${t.sample}% sample)` : ''}, ${t.chunksDiffering} differing; ` +
    `${t.counts.MISSING_IN_TARGET} missing, ${t.counts.EXTRA_IN_TARGET} extra, ${t.counts.FIELD_DIFF} field diff(s) (${(t.ms / 1000).toFixed(1)} s)`;
  const lines = [head];
  for (const d of t.differences.slice(0, 20)) {
    if (d.type === 'MISSING_IN_TARGET') lines.push(`  MISSING_IN_TARGET ${d.key || t.kind} (${t.table} key ${d.pk})${d.reason ? `: ${d.reason}` : ''}`);
    else if (d.type === 'EXTRA_IN_TARGET') lines.push(`  EXTRA_IN_TARGET   ${d.key}`);
    else for (const f of d.fields) lines.push(`  FIELD_DIFF        ${d.key} (${t.table} key ${d.pk}) ${f.column}${f.property !== f.column ? ` → ${f.property}` : ''}: mysql ${f.source} ≠ datastore ${f.target}`);
  }
  const total = t.counts.MISSING_IN_TARGET + t.counts.EXTRA_IN_TARGET + t.counts.FIELD_DIFF;
  if (total > 20) lines.push(`  … ${total - 20} more (see --report FILE)`);
  return lines;
}

export function migrateVerifyCommand(io: CliIo): Command {
  return new Command('verify')
    .description('compare MySQL and Datastore: counts, chunk hashes, then rows; keep each table\'s result in the checkpoint store; exit 0 only when equal')
    .requiredOption('-c, --config <file>', 'config file (YAML or JSON)')
    .option('--table <name...>', 'tables to verify (default: every table in migrate.tables)')
    .option('--sample <pct>', 'compare only this percentage of chunks (a quick pass)', samplePercentArg, 100)
    .option('--report <file>', 'write the full report as JSON')
    .option('--concurrency <n>', 'Datastore look-ups in flight at once', intArg(1, 256), 8)
    .option('--json', 'print the report as JSON instead of lines')
    .action(async (opts: VerifyOptions) => {
      const ctx = await openMigrate(opts.config, { tables: opts.table, env: io.env });
      try {
        // Each table's result is also kept in the checkpoint store (migrate status, the console).
        const report = await verifyTables({ ...ctx, sample: opts.sample, concurrency: opts.concurrency });
        const { tables } = report;
        if (opts.report) writeFileSync(opts.report, JSON.stringify(report, null, 2) + '\n');
        io.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : tables.flatMap(tableLines).join('\n') + '\n');
        if (!report.clean) {
          const sum = (k: keyof TableVerification['counts']) => tables.reduce((n, t) => n + t.counts[k], 0);
          const total = sum('MISSING_IN_TARGET') + sum('EXTRA_IN_TARGET') + sum('FIELD_DIFF');
          const countsOff = tables.filter((t) => t.sourceRows !== t.targetEntities).map((t) => t.table);
          throw new StranglerError(
            'STRANGLER_E_MIGRATE_VERIFY_FAILED',
            `verify: ${total} difference(s): ${sum('MISSING_IN_TARGET')} MISSING_IN_TARGET, ${sum('EXTRA_IN_TARGET')} EXTRA_IN_TARGET, ${sum('FIELD_DIFF')} FIELD_DIFF` +
              (countsOff.length > 0 ? `; counts differ for ${countsOff.join(', ')}` : ''),
            { hint: 'migrate sync --delete catches up changes since the backfill; see the lines above' + (opts.report ? ` and ${opts.report}` : ' or write them all with --report FILE') },
          );
        }
      } finally {
        await ctx.close();
      }
    });
}
