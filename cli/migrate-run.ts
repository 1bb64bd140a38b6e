import { Command } from 'commander';
import { resolveFromConfig } from '../config/load.js';
import { StranglerError } from '../core/errors.js';
import type { CopyEvents, CopyTableResult, RampProgress } from '../migrators/copy/copy-input.js';
import { checkpointId, type CheckpointStore } from '../migrators/checkpoint/contract.js';
import { DATASTORE_RAMP, createRampLimiter, rampElapsedFor, type RampLimiter } from '../migrators/copy/ramp.js';
import { createDeadLetterFile, createDeadLetterMemory } from '../migrators/copy/dead-letters.js';
import { createRateLimiter } from '../migrators/copy/rate-limiter.js';
import { checkShardable } from '../migrators/copy/shard-range.js';
import { WHOLE, shardLabel, type Shard } from '../migrators/keys/shard.js';
import type { CliIo } from './io.js';
import { copyAllTables } from '../migrators/copy/copy-tables.js';
import { openMigrate } from '../wiring/migrate.js';
import { createProgressReporter } from './migrate-progress.js';
import { intArg, shardArg } from './args.js';

interface RunOptions {
  config: string;
  table?: string[];
  batchSize: number;
  concurrency: number;
  maxRate?: number;
  shard?: Shard;
  dryRun?: boolean;
  restart?: boolean;
  /** --ramp / --no-ramp; neither: on against a real project, off against the emulator. */
  ramp?: boolean;
  rampStart: number;
  rampStep: number;
}

/**
 * The 500/50/5 write ramp, one per kind (each table's copy starts its own): on by default against a
 * real project, where a new kind written at full speed runs hot; off against the emulator, which has
 * no such servers to split. Returns the per-table limiter and the progress events that show it.
 */
function rampWiring(opts: RunOptions, env: NodeJS.ProcessEnv, events: CopyEvents, copiedBefore: ReadonlyMap<string, number>) {
  const on = opts.ramp ?? !env.DATASTORE_EMULATOR_HOST;
  if (!on || opts.dryRun) return { events };
  const schedule = { ...DATASTORE_RAMP, startRate: opts.rampStart, stepMs: opts.rampStep * 1000 };
  const ramps = new Map<string, RampLimiter>();
  const ramp = (table: string): { ramp?: RampProgress } => {
    const s = ramps.get(table)?.state();
    return s ? { ramp: { step: s.step, rate: s.rate, nextRate: s.nextRate, nextInSeconds: Math.ceil(s.nextInMs / 1000) } } : {};
  };
  return {
    limiterFor: (table: string) => {
      // A resumed run continues the schedule where the rows it copied before had taken it.
      const startAtMs = rampElapsedFor(schedule, copiedBefore.get(table) ?? 0);
      const limiter = createRampLimiter(schedule, { startAtMs, ...(opts.maxRate ? { maxRate: opts.maxRate } : {}) });
      ramps.set(table, limiter);
      return limiter;
    },
    events: {
      ...events,
      start: (e) => events.start?.({ ...e, ...ramp(e.table) }),
      progress: (e) => events.progress?.({ ...e, ...ramp(e.table) }),
    } satisfies CopyEvents,
  };
}

/** Rows each table's checkpoint (this shard's) says were copied before this run: where its ramp stands. */
async function copiedSoFar(store: CheckpointStore, tables: readonly string[], shard: Shard): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of tables) {
    const cp = await store.get(checkpointId(t, shardLabel(shard)));
    if (cp && !cp.done) out.set(t, cp.rowsCopied);
  }
  return out;
}

function summaryLine(r: CopyTableResult, dryRun: boolean): string {
  if (r.alreadyDone) return `${r.table} → ${r.kind} [shard ${r.shard}]: already complete (${r.totalCopied} rows); --restart copies it again`;
  const rate = r.ms > 0 ? Math.round((r.copied / r.ms) * 1000) : 0;
  return (
    `${r.table} → ${r.kind} [shard ${r.shard}]: ${r.copied} row(s) ${dryRun ? 'read and mapped (dry run, nothing written)' : 'copied'} in ${(r.ms / 1000).toFixed(1)} s (${rate} rows/s), ` +
    `${r.totalCopied}/${r.rowsTotal} in all, ${r.deadLetters} dead letter(s), ${r.zeroDates} zero date(s) written as null, ${r.retries} retr${r.retries === 1 ? 'y' : 'ies'}`
  );
}

export function migrateRunCommand(io: CliIo): Command {
  return new Command('run')
    .description('copy tables into Datastore: keyset chunks, concurrent capped commits, a checkpoint per chunk, resumable')
    .requiredOption('-c, --config <file>', 'config file (YAML or JSON)')
    .option('--table <name...>', 'tables to copy (default: every table in migrate.tables)')
    .option('--batch-size <n>', 'entities per Datastore commit (the 9 MB cap may make commits smaller)', intArg(1, 500), 500)
    .option('--concurrency <n>', 'Datastore commits in flight at once', intArg(1, 256), 8)
    .option('--max-rate <rows>', 'copy at most this many rows per second', intArg(1))
    .option('--shard <i/N>', 'copy part i of N of each table (N workers together; integer keys)', shardArg)
    .option('--dry-run', 'read and map every row, write nothing (no entities, checkpoints or dead letters)')
    .option('--restart', 'ignore the checkpoint and copy from the start')
    .option('--ramp', "pace each new kind by Google's 500/50/5 rule (default against a real project)")
    .option('--no-ramp', 'write at full speed (default against the emulator)')
    .option('--ramp-start <rows>', "the ramp's first rate in rows/s", intArg(1), DATASTORE_RAMP.startRate)
    .option('--ramp-step <seconds>', "how long each rate of the ramp lasts before it grows by 50%", intArg(1), DATASTORE_RAMP.stepMs / 1000)
    .action(async (opts: RunOptions) => {
      const ctx = await openMigrate(opts.config, { tables: opts.table, memoryCheckpoints: opts.dryRun, env: io.env });
      const shard = opts.shard ?? WHOLE;
      const progress = createProgressReporter(io);
      try {
        for (const t of ctx.tables) checkShardable(t.name, t.key, shard);
        const deadFile = resolveFromConfig(ctx.config, ctx.migrate.deadLetters);
        const deadLetters = opts.dryRun ? createDeadLetterMemory() : createDeadLetterFile(deadFile);
        const paced = rampWiring(opts, io.env, progress.events, opts.restart ? new Map() : await copiedSoFar(ctx.store, ctx.tables.map((t) => t.name), shard));
        const results = await copyAllTables(ctx, {
          ...paced,
          shard,
          deadLetters,
          limiter: createRateLimiter(opts.maxRate),
          batchSize: opts.batchSize,
          concurrency: opts.concurrency,
          dryRun: !!opts.dryRun,
          restart: !!opts.restart,
        });
        progress.stop();
        const dead = results.reduce((n, r) => n + r.deadLetters, 0);
        const zeroDates = results.reduce((n, r) => n + r.zeroDates, 0);
        if (io.stderr.isTTY) io.stdout.write(results.map((r) => summaryLine(r, !!opts.dryRun)).join('\n') + '\n');
        else io.stdout.write(JSON.stringify({ time: new Date().toISOString(), event: 'summary', dryRun: !!opts.dryRun, tables: results, deadLetters: dead, zeroDates }) + '\n');
        if (dead > 0) {
          throw new StranglerError('STRANGLER_E_MIGRATE_DEAD_LETTERS', `${dead} row(s) could not be written; ${opts.dryRun ? 'dry run: not recorded' : `see ${deadFile}`}`, {
            hint: 'each dead letter has the row key and the reason; fix the mapping or the data, then migrate sync',
          });
        }
      } finally {
        progress.stop();
        await ctx.close();
      }
    });
}
