import { Command } from 'commander';
import { resolveFromConfig } from '../config/load.js';
import { StranglerError } from '../core/errors.js';
import { createDeadLetterFile } from '../migrators/copy/dead-letters.js';
import { reverseTable, type ReverseTotals } from '../migrators/reverse/reverse-table.js';
import { openMigrate } from '../wiring/migrate.js';
import { openReverseIo } from '../wiring/reverse.js';
import { intArg } from './args.js';
import type { CliIo } from './io.js';

interface ReverseOptions {
  config: string;
  table?: string[];
  batchSize: number;
  watch?: number;
}

export function migrateReverseCommand(io: CliIo): Command {
  return new Command('reverse')
    .description("send the new service's writes (entities changed since the last pass, by their updatedAt) back into MySQL through the inverted mapping")
    .requiredOption('-c, --config <file>', 'config file (YAML or JSON)')
    .option('--table <name...>', 'tables to reverse (default: every table with a reverse rule)')
    .option('--batch-size <n>', 'entities per pass and MySQL transaction', intArg(1, 5000), 500)
    .option('--watch <ms>', 'keep going: a pass every MS milliseconds until SIGTERM / Ctrl-C', intArg(100, 3_600_000))
    .action(async (opts: ReverseOptions) => {
      const ctx = await openMigrate(opts.config, { tables: opts.table, env: io.env });
      const line = (o: Record<string, unknown>) => io.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...o }) + '\n');
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      try {
        const tables = ctx.tables.filter((t) => ctx.migrate.tables[t.name]?.reverse);
        const refused = ctx.tables.find((t) => ctx.migrate.tables[t.name]?.reverse && t.mapping.transformModule);
        if (tables.length === 0 || refused) {
          throw new StranglerError('STRANGLER_E_MIGRATE_REVERSE_CONFIG', refused ? `reverse: table ${refused.name} has a transform, which cannot be inverted` : 'reverse: no selected table has a reverse rule (migrate.tables.<table>.reverse)', {
            hint: 'users: { kind: User, updatedAt: updated_at, reverse: { updatedAt: updated_at, tombstone: deleted_at } }',
          });
        }
        const { io: rio, mark, close } = await openReverseIo(ctx);
        const deadLetters = createDeadLetterFile(resolveFromConfig(ctx.config, ctx.migrate.deadLetters));
        try {
          do {
            for (const t of tables) {
              const rule = ctx.migrate.tables[t.name]!.reverse!;
              const from = mark.tables[t.name] ?? { since: null, keysAtSince: [] };
              const before: ReverseTotals = from && 'totals' in from ? (from as { totals: ReverseTotals }).totals : { upserts: 0, deletes: 0, conflicts: 0, unchanged: 0, deadLetters: 0 };
              const started = performance.now();
              const r = await reverseTable({
                mapping: t.mapping,
                rule,
                from,
                io: {
                  ...rio,
                  // Totals in the mark add up over passes.
                  saveWatermark: (table, w, totals) => rio.saveWatermark(table, w, sum(before, totals)),
                },
                batchSize: opts.batchSize,
                onConflict: (c) => line({ event: 'conflict', ...c }),
                onDeadLetter: (key, reason) => deadLetters.write({ table: t.name, kind: t.mapping.kind, key, reason }),
              });
              const ms = performance.now() - started;
              if (r.upserts + r.deletes + r.conflicts + r.deadLetters > 0 || !opts.watch) {
                line({ event: 'reverse', table: t.name, kind: t.mapping.kind, upserts: r.upserts, deletes: r.deletes, conflicts: r.conflicts, unchanged: r.unchanged, deadLetters: r.deadLetters, rowsPerSecond: Math.round(((r.upserts + r.deletes) / Math.max(ms, 1)) * 1000), since: r.watermark.since });
              }
            }
            if (opts.watch && !abort.signal.aborted) {
              await new Promise<void>((resolve) => {
                const t = setTimeout(resolve, opts.watch);
                abort.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
              });
            }
          } while (opts.watch && !abort.signal.aborted);
        } finally {
          await close();
        }
      } finally {
        process.removeListener('SIGTERM', stop);
        process.removeListener('SIGINT', stop);
        await ctx.close();
      }
    });
}

function sum(a: ReverseTotals, b: ReverseTotals): ReverseTotals {
  return { upserts: a.upserts + b.upserts, deletes: a.deletes + b.deletes, conflicts: a.conflicts + b.conflicts, unchanged: a.unchanged + b.unchanged, deadLetters: a.deadLetters + b.deadLetters };
}
