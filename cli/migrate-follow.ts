import { Command } from 'commander';
import { showPosition } from '../migrators/mysql/binlog-position.js';
import { serveFollowMetrics } from '../wiring/follow.js';
import { runFollow } from '../wiring/follow-run.js';
import { openMigrate } from '../wiring/migrate.js';
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
        const line = (o: Record<string, unknown>) => io.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...o }) + '\n');
        const text = (s: string) => io.stdout.write(`${s}\n`);
        const tty = !!io.stderr.isTTY;
        const mark = await runFollow(ctx, {
          signal: abort.signal,
          batchRows: opts.batchSize,
          maxWaitMs: opts.maxWait,
          untilCaughtUp: !!opts.untilCaughtUp,
          onStart(from, resumed) {
            if (tty) text(`following ${ctx.tables.map((t) => t.name).join(', ')} from ${showPosition(from)}${resumed ? ' (resumed)' : ' (where the backfill began)'}`);
            else line({ event: 'follow-start', from, resumed, tables: ctx.tables.map((t) => t.name) });
          },
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
