import { Command } from 'commander';
import { resolveFromConfig } from '../config/load.js';
import { StranglerError } from '../core/errors.js';
import { createDeadLetterFile, createDeadLetterMemory } from '../migrators/copy/dead-letters.js';
import { columnZone, startingPoint } from '../migrators/sync/starting-point.js';
import { syncTable, type SyncTableResult } from '../migrators/sync/sync-table.js';
import { DEFAULT_MARGIN_SECONDS, syncThreshold } from '../migrators/sync/watermark.js';
import type { CliIo } from './io.js';
import { openMigrate } from '../wiring/migrate.js';
import { intArg } from './args.js';

interface SyncOptions {
  config: string;
  table?: string[];
  print?: boolean;
  delete?: boolean;
  margin: number;
  batchSize: number;
  concurrency: number;
}

export function migrateSyncCommand(io: CliIo): Command {
  return new Command('sync')
    .description('catch up: re-copy rows changed since the backfill began (updatedAt), --delete removes entities whose row is gone')
    .requiredOption('-c, --config <file>', 'config file (YAML or JSON)')
    .option('--table <name...>', 'tables to sync (default: every table in migrate.tables)')
    .option('--print', 'list what would change, write nothing')
    .option('--delete', 'also delete entities whose row no longer exists (keys-only scan)')
    .option('--margin <seconds>', 'start this long before the watermark (clock skew, long transactions)', intArg(0), DEFAULT_MARGIN_SECONDS)
    .option('--batch-size <n>', 'entities per Datastore commit', intArg(1, 500), 500)
    .option('--concurrency <n>', 'Datastore commits in flight at once', intArg(1, 256), 8)
    .action(async (opts: SyncOptions) => {
      const ctx = await openMigrate(opts.config, { tables: opts.table, env: io.env });
      try {
        for (const t of ctx.tables) {
          if (!t.mapping.updatedAt) {
            throw new StranglerError('STRANGLER_E_MIGRATE_NO_UPDATED_AT', `sync: migrate.tables.${t.name} has no updatedAt column`, {
              hint: `add updatedAt: <column> (the DATETIME/TIMESTAMP the legacy app sets on every write) to migrate.tables.${t.name}`,
            });
          }
        }
        const starts = new Map<string, string>();
        for (const t of ctx.tables) starts.set(t.name, await startingPoint(ctx.store, t));
        const deadFile = resolveFromConfig(ctx.config, ctx.migrate.deadLetters);
        const deadLetters = opts.print ? createDeadLetterMemory() : createDeadLetterFile(deadFile);
        const results: SyncTableResult[] = [];
        for (const t of ctx.tables) {
          // Read before the scan: whatever changes during this sync is the next one's to catch.
          const nextMark = await ctx.source.utcNow();
          const since = syncThreshold(starts.get(t.name)!, opts.margin, columnZone(t, t.mapping.updatedAt!, ctx.migrate.sourceTimeZone));
          const r = await syncTable({
            table: t.name,
            mapping: t.mapping,
            key: t.key,
            updatedAt: t.mapping.updatedAt!,
            since,
            source: ctx.source,
            sink: ctx.sink,
            toKey: ctx.toKey,
            deadLetters,
            print: !!opts.print,
            delete: !!opts.delete,
            batchSize: opts.batchSize,
            concurrency: opts.concurrency,
            onPreview: (p) => void io.stdout.write(p.action === 'upsert' ? `UPSERT ${p.key} (${t.mapping.updatedAt} ${String(p.updatedAt)})\n` : `DELETE ${p.key}\n`),
          });
          if (!opts.print) await ctx.store.putSyncMark({ table: t.name, watermark: nextMark, at: new Date().toISOString() });
          results.push(r);
        }
        for (const r of results) {
          const verb = r.printed ? 'would re-copy' : 're-copied';
          const del = opts.delete ? `, ${r.printed ? 'would delete' : 'deleted'} ${r.deleted} orphan entit${r.deleted === 1 ? 'y' : 'ies'}` : '';
          io.stdout.write(`${r.table} → ${r.kind}: ${verb} ${r.upserted} row(s) changed since ${r.since}${del}${r.deadLetters ? `, ${r.deadLetters} dead letter(s)` : ''}${r.printed ? ' (--print: nothing written)' : ''}\n`);
        }
        const dead = results.reduce((n, r) => n + r.deadLetters, 0);
        if (dead > 0 && !opts.print) {
          throw new StranglerError('STRANGLER_E_MIGRATE_DEAD_LETTERS', `${dead} row(s) could not be written; see ${deadFile}`, { hint: 'each dead letter has the row key and the reason' });
        }
      } finally {
        await ctx.close();
      }
    });
}
