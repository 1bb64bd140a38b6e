import { StranglerError } from '../../core/errors.js';
import { FOLLOW_STREAM, type CheckpointStore, type FollowMark } from '../checkpoint/contract.js';
import { earliestPosition, type BinlogPosition } from '../mysql/binlog-position.js';

/**
 * Where `migrate follow` starts: the last applied position, else the earliest binlog position any
 * shard of the followed tables recorded when its backfill began; refused while a backfill is
 * unfinished or recorded none (the binlog was off).
 */
export async function followStartingPoint(store: CheckpointStore, tables: readonly string[]): Promise<{ from: BinlogPosition; previous?: FollowMark }> {
  const previous = (await store.getStreamMark(FOLLOW_STREAM)) as FollowMark | undefined;
  if (previous) return { from: { file: previous.file, position: previous.position }, previous };
  const cps = await store.list();
  const starts: BinlogPosition[] = [];
  for (const table of tables) {
    const mine = cps.filter((c) => c.table === table);
    const unfinished = mine.find((c) => !c.done);
    if (mine.length === 0 || unfinished) {
      throw new StranglerError('STRANGLER_E_MIGRATE_INCOMPLETE', `follow: the backfill of ${table} has not finished${unfinished ? ` (shard ${unfinished.shard}: ${unfinished.rowsCopied} of ${unfinished.rowsTotal} rows)` : ''}`, {
        hint: 'run (or resume) strangler migrate run first: follow applies changes on top of a finished copy',
      });
    }
    for (const c of mine) {
      if (!c.binlog) {
        throw new StranglerError('STRANGLER_E_MIGRATE_NO_BINLOG_START', `follow: the backfill of ${table} recorded no binlog position (the binlog was off, or not readable, when it began)`, {
          hint: `turn the binlog on (ROW format) and run strangler migrate run --restart --table ${table}, or catch up with strangler migrate sync`,
        });
      }
      starts.push(c.binlog);
    }
  }
  return { from: earliestPosition(starts)! };
}
