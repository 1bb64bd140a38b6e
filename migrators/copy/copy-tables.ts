import type { Key } from '@google-cloud/datastore';
import type { CheckpointStore } from '../checkpoint/contract.js';
import type { DatastoreSink } from '../datastore/sink.js';
import { mapRow } from '../mapping/map-row.js';
import type { KeyPath } from '../mapping/types.js';
import type { MysqlSource } from '../mysql/source.js';
import type { PreparedTable } from '../plan/prepared-table.js';
import type { CopyTableInput, CopyTableResult } from './copy-input.js';
import { copyTable } from './copy-table.js';
import { shardRange } from './shard-range.js';

/** The adapters and tables a run copies with (wiring/migrate.ts opens them from the config). */
export interface CopySetup {
  source: MysqlSource;
  sink: DatastoreSink;
  store: CheckpointStore;
  tables: readonly PreparedTable[];
  toKey: (path: KeyPath) => Key;
  retries: { count: number };
}

/** How a run copies the tables; the rest of copyTable's input comes from the setup. */
export type CopyAllOptions = Pick<CopyTableInput, 'shard' | 'deadLetters' | 'limiter' | 'batchSize' | 'concurrency' | 'dryRun' | 'restart' | 'events'> & {
  /** After each table, with its result (the demo prints a line per table). */
  onTable?: (result: CopyTableResult) => void;
  /** A limiter of the table's own (the write ramp of a new kind) instead of the shared `limiter`. */
  limiterFor?: (table: string, kind: string) => CopyTableInput['limiter'];
};

/**
 * Copies every table in turn, each over its shard's key range: the loop that `migrate run` and the
 * demo's run step share. With `restart` on a whole table (not a shard, not a dry run) the table's
 * checkpoints are cleared first.
 */
export async function copyAllTables(ctx: CopySetup, options: CopyAllOptions): Promise<CopyTableResult[]> {
  const { onTable, limiterFor, ...input } = options;
  const results: CopyTableResult[] = [];
  for (const t of ctx.tables) {
    if (input.restart && input.shard.count === 1 && !input.dryRun) await ctx.store.clearTable(t.name);
    const range = await shardRange(t.name, t.key, input.shard, ctx.source, ctx.store);
    const result = await copyTable({
      ...input,
      ...(limiterFor ? { limiter: limiterFor(t.name, t.mapping.kind) } : {}),
      table: t.name,
      kind: t.mapping.kind,
      key: t.key,
      range,
      map: (row) => mapRow(t.mapping, row),
      toKey: ctx.toKey,
      source: ctx.source,
      sink: ctx.sink,
      store: ctx.store,
      retries: ctx.retries,
      binlogPosition: () => ctx.source.binlogPosition(),
    });
    results.push(result);
    onTable?.(result);
  }
  return results;
}
