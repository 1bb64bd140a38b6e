import { StranglerError } from '../core/errors.js';
import { FOLLOW_STREAM, type FollowMark } from '../migrators/follow/follow.js';
import { mysqlDateTimeToDate } from '../migrators/mapping/datetime.js';
import type { PreparedTable } from '../migrators/plan/prepared-table.js';
import { reverseKeySet, type KeySetResult } from '../migrators/reverse/key-set.js';
import type { ReverseIo } from '../migrators/reverse/reverse-table.js';
import { DEFAULT_MARGIN_SECONDS, earliest } from '../migrators/sync/watermark.js';
import type { MigrateContext } from './migrate.js';

function utcMs(mysqlUtc: string): number | undefined {
  const r = mysqlDateTimeToDate(mysqlUtc, 'UTC');
  return r.kind === 'ok' ? r.date.getTime() : undefined;
}

/** When the table's finished backfill began (MySQL's clock; the earliest shard), if one is recorded. */
export async function backfillStartMs(ctx: MigrateContext, table: string): Promise<number | undefined> {
  const done = (await ctx.store.list()).filter((c) => c.table === table && c.done);
  return done.length > 0 ? utcMs(earliest(done.map((c) => c.watermark))!) : undefined;
}

/**
 * Up to when Datastore is known to hold the table's MySQL changes: the last commit follow applied,
 * the last sync's start or the backfill's start, whichever is latest, less the sync margin (app
 * clocks drift; a transaction may commit after the updatedAt it wrote).
 */
export async function settledBefore(ctx: MigrateContext, table: string): Promise<number> {
  const follow = (await ctx.store.getStreamMark(FOLLOW_STREAM)) as FollowMark | undefined;
  const sync = await ctx.store.getSyncMark(table);
  const candidates = [
    follow ? Date.parse(follow.updatedAt) - follow.lagSeconds * 1000 : undefined,
    sync ? utcMs(sync.watermark) : undefined,
    await backfillStartMs(ctx, table),
  ].filter((x): x is number => x !== undefined && Number.isFinite(x));
  if (candidates.length === 0) {
    throw new StranglerError('STRANGLER_E_MIGRATE_NO_WATERMARK', `reverse: key-set deletes of ${table} need to know what Datastore holds, and no finished backfill, sync or follow of it is recorded`, {
      hint: `strangler migrate run -c FILE --table ${table} (then migrate follow), before reverse compares key sets`,
    });
  }
  return Math.max(...candidates) - DEFAULT_MARGIN_SECONDS * 1000;
}

/** One key-set comparison of a table: its rows read by key from MySQL, looked up in Datastore. */
export async function keySetPass(ctx: MigrateContext, t: PreparedTable, write: ReverseIo['write'], batchSize: number): Promise<KeySetResult> {
  const m = t.mapping;
  const columns = [...new Set([...m.key.columns, ...(m.parent ? [m.parent.column] : []), m.updatedAt!])];
  return reverseKeySet({
    mapping: m,
    key: t.key,
    toKey: ctx.toKey,
    settledBefore: await settledBefore(ctx, t.name),
    batchSize,
    io: {
      rows: (after, limit) => ctx.source.readChunk({ table: t.name, key: t.key, after, limit, columns }),
      exist: async (keys) => (await ctx.sink.lookup(keys)).map((e) => e !== undefined),
      remove: (rows) => write(m, [], rows),
    },
  });
}
