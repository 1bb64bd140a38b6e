/** What reverse knows of the other direction: up to when Datastore holds MySQL's changes of a table. */
import { StranglerError } from '../../core/errors.js';
import { FOLLOW_STREAM, type CheckpointStore, type FollowMark } from '../checkpoint/contract.js';
import { mysqlDateTimeToDate } from '../mapping/datetime.js';
import { DEFAULT_MARGIN_SECONDS, earliest } from '../sync/watermark.js';

function utcMs(mysqlUtc: string): number | undefined {
  const r = mysqlDateTimeToDate(mysqlUtc, 'UTC');
  return r.kind === 'ok' ? r.date.getTime() : undefined;
}

/** When the table's finished backfill began (MySQL's clock; the earliest shard), if one is recorded. */
export async function backfillStartMs(store: CheckpointStore, table: string): Promise<number | undefined> {
  const done = (await store.list()).filter((c) => c.table === table && c.done);
  return done.length > 0 ? utcMs(earliest(done.map((c) => c.watermark))!) : undefined;
}

/**
 * Up to when Datastore is known to hold the table's MySQL changes: the last commit follow applied,
 * the last sync's start or the backfill's start, whichever is latest, less the sync margin (app
 * clocks drift; a transaction may commit after the updatedAt it wrote).
 */
export async function settledBefore(store: CheckpointStore, table: string): Promise<number> {
  const follow = (await store.getStreamMark(FOLLOW_STREAM)) as FollowMark | undefined;
  const sync = await store.getSyncMark(table);
  const candidates = [
    follow ? Date.parse(follow.updatedAt) - follow.lagSeconds * 1000 : undefined,
    sync ? utcMs(sync.watermark) : undefined,
    await backfillStartMs(store, table),
  ].filter((x): x is number => x !== undefined && Number.isFinite(x));
  if (candidates.length === 0) {
    throw new StranglerError('STRANGLER_E_MIGRATE_NO_WATERMARK', `reverse: key-set deletes of ${table} need to know what Datastore holds, and no finished backfill, sync or follow of it is recorded`, {
      hint: `strangler migrate run -c FILE --table ${table} (then migrate follow), before reverse compares key sets`,
    });
  }
  return Math.max(...candidates) - DEFAULT_MARGIN_SECONDS * 1000;
}
