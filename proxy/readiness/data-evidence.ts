import type { StreamMark } from '../../migrators/checkpoint/contract.js';
import type { DataEvidence, TableEvidence } from '../../diffs/report/readiness.js';
import { mysqlUtc, type MigrationsRead } from '../console/migrations-view.js';

/**
 * The data criterion's evidence from the checkpoint store, read as the console's Migrations page
 * reads it (migrationsView: each table's last verify, and its lag from its last sync or backfill),
 * with the follow stream's own lag taking over once follow has applied changes since then.
 */
export function dataEvidence(view: MigrationsRead, follow: StreamMark | undefined, source: string): DataEvidence {
  const tables = new Map<string, TableEvidence>();
  for (const row of view.tables) {
    const t = tables.get(row.table) ?? { table: row.table };
    const v = row.lastVerify;
    if (v) t.verify = { at: v.at, clean: v.clean, missing: v.missing, extra: v.extra, fieldDiffs: v.fieldDiffs };
    // The table is as far behind as its slowest shard.
    if (row.lagSeconds !== null && (t.lag === undefined || row.lagSeconds > t.lag.seconds)) t.lag = { seconds: row.lagSeconds, from: row.lastSync ? 'sync' : 'backfill' };
    tables.set(row.table, t);
  }
  const followLag = typeof follow?.lagSeconds === 'number' ? follow.lagSeconds : undefined;
  if (followLag !== undefined) {
    for (const t of tables.values()) {
      const lastSync = view.tables.find((r) => r.table === t.table)?.lastSync;
      // Follow applies every change after the backfill; a sync after follow's last batch is newer.
      if (!lastSync || Date.parse(follow!.updatedAt) >= mysqlUtc(lastSync)) t.lag = { seconds: Math.round(followLag), from: 'follow' };
    }
  }
  return { source, tables: [...tables.values()] };
}
