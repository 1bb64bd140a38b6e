/**
 * The console's Migrations page, read from the checkpoint store the migrators write (in the target
 * Datastore): per table and shard the rows copied, rate, ETA and dead letters (the same figures as
 * `migrate status`), and the catch-up lag — how far behind MySQL's clock the table's last sync (or,
 * before any sync, its backfill) began; and the result of the table's last `migrate verify`.
 */
import type { CheckpointStore, VerifyMark } from '../../migrators/checkpoint/contract.js';
import { shardStatus, sortStatuses, type ShardStatus } from '../../migrators/checkpoint/status.js';

export interface TableProgress extends ShardStatus {
  /** When the table's last `migrate sync` began (MySQL's clock, UTC), if one ran. */
  lastSync: string | null;
  /** Seconds between `now` and the point the next sync starts from; null when unknown. */
  lagSeconds: number | null;
  /** The table's last `migrate verify`, if one ran since the copy began. */
  lastVerify: VerifyMark | null;
}

/** What the store holds, as read. */
export type MigrationsRead = { configured: true; at: string; tables: TableProgress[]; notStarted: string[] };
export type MigrationsView = MigrationsRead | { configured: false; why: string };

/** MySQL's 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) as ms since the epoch; NaN when it is not one. */
export function mysqlUtc(s: string): number {
  return Date.parse(s.replace(' ', 'T') + (s.endsWith('Z') ? '' : 'Z'));
}

export async function migrationsView(store: CheckpointStore, tables: readonly string[], now = new Date()): Promise<MigrationsRead> {
  const checkpoints = (await store.list()).filter((c) => tables.includes(c.table));
  const started = [...new Set(checkpoints.map((c) => c.table))];
  const marks = new Map(await Promise.all(started.map(async (t) => [t, await Promise.all([store.getSyncMark(t), store.getVerifyMark(t)])] as const)));
  const rows = sortStatuses(checkpoints.map((c) => shardStatus(c, now))).map((s): TableProgress => {
    const [sync, verify] = marks.get(s.table) ?? [];
    const lastSync = sync?.watermark ?? null;
    const from = mysqlUtc(lastSync ?? s.watermark);
    return { ...s, lastSync, lagSeconds: Number.isFinite(from) ? Math.max(0, Math.round((now.getTime() - from) / 1000)) : null, lastVerify: verify ?? null };
  });
  return { configured: true, at: now.toISOString(), tables: rows, notStarted: tables.filter((t) => !rows.some((r) => r.table === t)) };
}
