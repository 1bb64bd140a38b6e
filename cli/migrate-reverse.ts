import { Command } from 'commander';
import { openMigrate } from '../wiring/migrate.js';
import { DEFAULT_SETTLE_MS, runReverse } from '../wiring/reverse-run.js';
import { intArg } from './args.js';
import type { CliIo } from './io.js';

interface ReverseOptions {
  config: string;
  table?: string[];
  batchSize: number;
  watch?: number;
  keySetEvery: number;
  settle: number;
}

export function migrateReverseCommand(io: CliIo): Command {
  return new Command('reverse')
    .description("send the new service's writes (entities changed since the last pass, by their updatedAt) back into MySQL through the inverted mapping")
    .requiredOption('-c, --config <file>', 'config file (YAML or JSON)')
    .option('--table <name...>', 'tables to reverse (default: every table with a reverse rule)')
    .option('--batch-size <n>', 'entities per pass and MySQL transaction', intArg(1, 5000), 500)
    .option('--watch <ms>', 'keep going: a pass every MS milliseconds until SIGTERM / Ctrl-C', intArg(100, 3_600_000))
    .option('--settle <ms>', 'read only entities stamped at least MS ms ago: a write stamped earlier may commit later (and clocks differ)', intArg(0, 3_600_000), DEFAULT_SETTLE_MS)
    .option('--key-set-every <ms>', 'with --watch: compare key sets (tables with reverse.keySet; a full scan) at most every MS milliseconds', intArg(100, 86_400_000), 60_000)
    .action(async (opts: ReverseOptions) => {
      const ctx = await openMigrate(opts.config, { tables: opts.table, env: io.env });
      const line = (o: Record<string, unknown>) => io.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...o }) + '\n');
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      try {
        await runReverse(ctx, {
          batchSize: opts.batchSize,
          ...(opts.watch ? { watchMs: opts.watch } : {}),
          keySetEveryMs: opts.keySetEvery,
          settleMs: opts.settle,
          signal: abort.signal,
          onConflict: (c) => line({ event: 'conflict', ...c }),
          onPass(r) {
            if (r.upserts + r.deletes + r.conflicts + r.deadLetters + (r.keySet?.deleted ?? 0) > 0 || !opts.watch) {
              line({ event: 'reverse', table: r.table, kind: r.kind, upserts: r.upserts, deletes: r.deletes, conflicts: r.conflicts, unchanged: r.unchanged, deadLetters: r.deadLetters, rowsPerSecond: Math.round(((r.upserts + r.deletes) / Math.max(r.ms, 1)) * 1000), since: r.watermark.since, ...(r.keySet ? { keySet: r.keySet } : {}) });
            }
          },
        });
      } finally {
        process.removeListener('SIGTERM', stop);
        process.removeListener('SIGINT', stop);
        await ctx.close();
      }
    });
}

