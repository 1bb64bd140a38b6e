/** Where a sync of a table starts: the watermark to read changes from, and the zone of its updatedAt column. */
import { StranglerError } from '../../core/errors.js';
import type { CheckpointStore } from '../checkpoint/contract.js';
import { classify } from '../mapping/column-class.js';
import type { PreparedTable } from '../plan/prepared-table.js';
import { earliest } from './watermark.js';

/** The watermark to start from: the last sync's, else the earliest backfill start; refuses when
 * there is no finished backfill, since a sync then would miss the rows not copied yet. */
export async function startingPoint(store: CheckpointStore, t: PreparedTable): Promise<string> {
  const mark = await store.getSyncMark(t.name);
  const cps = (await store.list()).filter((c) => c.table === t.name);
  if (cps.length === 0 && !mark) {
    throw new StranglerError('STRANGLER_E_MIGRATE_NO_WATERMARK', `sync: no backfill of ${t.name} is recorded in the target; run "strangler migrate run" first`, {
      hint: `strangler migrate run -c FILE --table ${t.name}`,
    });
  }
  const unfinished = cps.find((c) => !c.done);
  if (unfinished) {
    throw new StranglerError('STRANGLER_E_MIGRATE_INCOMPLETE', `sync: the backfill of ${t.name} has not finished (shard ${unfinished.shard}: ${unfinished.rowsCopied} of ${unfinished.rowsTotal} rows)`, {
      hint: 'resume it with strangler migrate run (it resumes by default), then sync',
    });
  }
  return mark?.watermark ?? earliest(cps.map((c) => c.watermark))!;
}

/** The zone in which the updatedAt column holds its values: UTC for TIMESTAMP (read in a UTC
 * session), the declared zone for DATETIME. */
export function columnZone(t: PreparedTable, column: string, sourceTimeZone: string | undefined): string {
  const info = t.info.columns.find((c) => c.name === column)!;
  if (classify(info) === 'timestamp') return 'UTC';
  return t.mapping.properties.find((p) => p.column === column)?.timeZone ?? sourceTimeZone ?? 'UTC';
}
