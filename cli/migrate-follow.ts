import { Command } from 'commander';
import { resolveFromConfig } from '../config/load.js';
import { StranglerError } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
import { createDeadLetterFile } from '../migrators/copy/dead-letters.js';
import { FOLLOW_STREAM, follow, type FollowMark } from '../migrators/follow/follow.js';
import { earliestPosition, showPosition, type BinlogPosition } from '../migrators/mysql/binlog-position.js';
import { binlogReadiness } from '../migrators/mysql/binlog-readiness.js';
import { binlogFacts, binlogPosition } from '../migrators/mysql/binlog.js';
import { binlogOpener, serveFollowMetrics } from '../wiring/follow.js';
import { openMigrate, type MigrateContext } from '../wiring/migrate.js';
import { intArg } from './args.js';
import type { CliIo } from './io.js';

interface FollowOptions {
  config: string;
  table?: string[];
  batchSize: number;
  maxWait: number;
  untilCaughtUp?: boolean;
  metrics?: number;
}

/** Where to start: the last applied position, else the earliest recorded backfill start. */
async function startingPoint(ctx: MigrateContext): Promise<{ from: BinlogPosition; previous?: FollowMark }> {
  const previous = (await ctx.store.getStreamMark(FOLLOW_STREAM)) as FollowMark | undefined;
  if (previous) return { from: { file: previous.file, position: previous.position }, previous };
  const cps = await ctx.store.list();
  const starts: BinlogPosition[] = [];
  for (const t of ctx.tables) {
    const mine = cps.filter((c) => c.table === t.name);
    const unfinished = mine.find((c) => !c.done);
    if (mine.length === 0 || unfinished) {
      throw new StranglerError('STRANGLER_E_MIGRATE_INCOMPLETE', `follow: the backfill of ${t.name} has not finished${unfinished ? ` (shard ${unfinished.shard}: ${unfinished.rowsCopied} of ${unfinished.rowsTotal} rows)` : ''}`, {
        hint: 'run (or resume) strangler migrate run first: follow applies changes on top of a finished copy',
      });
    }
    for (const c of mine) {
      if (!c.binlog) {
        throw new StranglerError('STRANGLER_E_MIGRATE_NO_BINLOG_START', `follow: the backfill of ${t.name} recorded no binlog position (the binlog was off, or not readable, when it began)`, {
          hint: `turn the binlog on (ROW format) and run strangler migrate run --restart --table ${t.name}, or catch up with strangler migrate sync`,
        });
      }
      starts.push(c.binlog);
    }
  }
  return { from: earliestPosition(starts)! };
}

export function migrateFollowCommand(io: CliIo): Command {
  return new Command('follow')
    .description('change data capture: apply the MySQL binlog (ROW) to Datastore from where the backfill began, checkpointed after each batch')
    .requiredOption('-c, --config <file>', 'config file (YAML or JSON)')
    .option('--table <name...>', 'tables to follow (default: every table in migrate.tables)')
    .option('--batch-size <rows>', 'rows per applied batch (whole transactions)', intArg(1, 100_000), 500)
    .option('--max-wait <ms>', 'how long a change waits for others to batch with', intArg(0, 60_000), 200)
    .option('--until-caught-up', 'stop once everything written before the start is applied (a catch-up run)')
    .option('--metrics <port>', 'serve Prometheus metrics (lag, changes) on 127.0.0.1:PORT/metrics', intArg(1, 65535))
    .action(async (opts: FollowOptions) => {
      const ctx = await openMigrate(opts.config, { tables: opts.table, env: io.env });
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      const metrics = opts.metrics ? serveFollowMetrics(opts.metrics) : undefined;
      try {
        const start = await startingPoint(ctx);
        const readiness = binlogReadiness(await binlogFacts(ctx.source.pool), start.from);
        if (!readiness.usable) {
          throw new StranglerError('STRANGLER_E_MIGRATE_BINLOG_UNUSABLE', `follow: the binlog of ${redactUrl(ctx.migrate.source)} cannot be followed: ${readiness.problems.join('; ')}`, {
            hint: readiness.notes.join('; '),
          });
        }
        const until = opts.untilCaughtUp ? ((await binlogPosition(ctx.source.pool)) ?? undefined) : undefined;
        const deadLetters = createDeadLetterFile(resolveFromConfig(ctx.config, ctx.migrate.deadLetters));
        const line = (o: Record<string, unknown>) => io.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...o }) + '\n');
        const text = (s: string) => io.stdout.write(`${s}\n`);
        const tty = !!io.stderr.isTTY;
        if (tty) text(`following ${ctx.tables.map((t) => t.name).join(', ')} from ${showPosition(start.from)}${start.previous ? ' (resumed)' : ' (where the backfill began)'}`);
        else line({ event: 'follow-start', from: start.from, resumed: !!start.previous, tables: ctx.tables.map((t) => t.name) });
        const mark = await follow({
          mappings: new Map(ctx.tables.map((t) => [t.name, t.mapping])),
          open: binlogOpener(ctx),
          from: start.from,
          ...(start.previous ? { previous: start.previous } : {}),
          sink: ctx.sink,
          toKey: ctx.toKey,
          store: ctx.store,
          deadLetters,
          batchRows: opts.batchSize,
          maxWaitMs: opts.maxWait,
          skipServerIds: [ctx.migrate.reverse.serverId],
          ...(until ? { until } : {}),
          signal: abort.signal,
          onBatch(b) {
            metrics?.lag.set(b.lagSeconds);
            metrics?.changes.inc({ op: 'upsert' }, b.upserts);
            metrics?.changes.inc({ op: 'delete' }, b.deletes);
            if (tty) text(`${showPosition(b.at)}: ${b.upserts} upsert(s), ${b.deletes} delete(s), ${b.deadLetters} dead letter(s), ${b.skipped} skipped (reverse's own), lag ${b.lagSeconds} s`);
            else line({ event: 'follow', ...b });
          },
        });
        if (tty) text(`stopped at ${showPosition(mark)}: ${mark.upserts} upsert(s), ${mark.deletes} delete(s), ${mark.deadLetters} dead letter(s) in all`);
        else line({ event: 'follow-stop', at: { file: mark.file, position: mark.position }, upserts: mark.upserts, deletes: mark.deletes, deadLetters: mark.deadLetters, skipped: mark.skipped });
      } finally {
        process.removeListener('SIGTERM', stop);
        process.removeListener('SIGINT', stop);
        await metrics?.close();
        await ctx.close();
      }
    });
}
