import type { Key } from '@google-cloud/datastore';
import { keyString } from '../datastore/sink.js';
import { mysqlDateTimeToDate } from '../mapping/datetime.js';
import type { TableMapping } from '../mapping/types.js';
import { entityToRow } from './invert.js';

/** Per table: which property the new service keeps current, how it marks deletes, who wins a conflict. */
export interface ReverseRule {
  /** The entity property the new service sets to the time of every write (a timestamp). */
  updatedAt: string;
  /** A property the new service sets (non-null) instead of deleting: the row is deleted in MySQL. */
  tombstone?: string;
  /** 'newest' (default): a row changed in MySQL after the entity keeps MySQL's version; 'datastore': the entity always wins. */
  conflict: 'newest' | 'datastore';
  /** Deletes by key-set comparison too: a row whose entity is gone is deleted (key-set.ts). */
  keySet?: boolean;
}

export interface ReverseWatermark {
  /** The updatedAt of the last change applied (ISO), and the keys applied at exactly that time. */
  since: string | null;
  keysAtSince: string[];
}

export interface Conflict {
  table: string;
  key: string;
  mysqlUpdatedAt: string;
  datastoreUpdatedAt: string;
  winner: 'mysql' | 'datastore';
}

export interface ReverseIo {
  /** Entities of the kind whose `property` is at or after `since` and before `before`, oldest first, at most `limit`. */
  changes(kind: string, property: string, since: Date | null, limit: number, before: Date): Promise<{ key: Key; entity: Record<string, unknown> }[]>;
  /** The MySQL rows of these key-column values, by keyString of the entity key. */
  rows(mapping: TableMapping, keys: readonly { key: Key; row: Record<string, unknown> }[]): Promise<Map<string, Record<string, unknown>>>;
  /** Upserts and deletes in one MySQL transaction, marked as reverse's own (its session server_id). */
  write(mapping: TableMapping, upserts: readonly Record<string, unknown>[], deletes: readonly Record<string, unknown>[]): Promise<void>;
  saveWatermark(table: string, w: ReverseWatermark, totals: ReverseTotals): Promise<void>;
}

export interface ReverseTotals {
  upserts: number;
  deletes: number;
  conflicts: number;
  unchanged: number;
  deadLetters: number;
}

export interface ReverseTableInput {
  mapping: TableMapping;
  rule: ReverseRule;
  from: ReverseWatermark;
  io: ReverseIo;
  batchSize: number;
  /**
   * Entities stamped at or after this are left for a later pass. The new service stamps a write
   * before it commits, so a write stamped earlier can commit after one stamped later; were the
   * later one read first, the watermark would pass the earlier one and it would never be sent.
   * Reading only stamps older than the longest stamp-to-commit time keeps the order.
   */
  before: Date;
  onConflict?(c: Conflict): void;
  onDeadLetter?(key: string, reason: string): void;
}

/** A timestamp property or a DATETIME text (in `zone`) as an instant (ms), or null. */
export function instant(v: unknown, zone: string): number | null {
  if (v instanceof Date) return v.getTime();
  if (typeof v !== 'string') return null;
  const r = mysqlDateTimeToDate(v, zone);
  return r.kind === 'ok' ? r.date.getTime() : null;
}

/**
 * Whether MySQL's value of a column is the one reverse would write. Times compare as instants: a
 * DATETIME(0) reads back as '… 10:00:00' where the inverted entity says '… 10:00:00.000'.
 */
function sameValue(mapping: TableMapping, column: string, mysql: unknown, ours: unknown): boolean {
  const p = mapping.properties.find((x) => x.column === column);
  if (p?.type === 'timestamp' && typeof mysql === 'string' && typeof ours === 'string') {
    const zone = p.timeZone ?? 'UTC';
    return instant(mysql, zone) !== null && instant(mysql, zone) === instant(ours, zone);
  }
  return String(mysql ?? null) === String(ours ?? null);
}

/**
 * The new service's changes to one kind (since the watermark) back into its MySQL table through the
 * inverted mapping, a batch at a time, the watermark saved after each. A conflict — the MySQL row was
 * changed after the entity — is counted and reported; by default the newer side (MySQL) wins.
 */
export async function reverseTable(input: ReverseTableInput): Promise<ReverseTotals & { watermark: ReverseWatermark }> {
  const { mapping, rule, io } = input;
  const totals: ReverseTotals = { upserts: 0, deletes: 0, conflicts: 0, unchanged: 0, deadLetters: 0 };
  let w: ReverseWatermark = { ...input.from, keysAtSince: [...input.from.keysAtSince] };
  const updatedColumn = mapping.updatedAt;
  const columnZone = mapping.properties.find((p) => p.column === updatedColumn)?.timeZone ?? 'UTC';
  let limit = input.batchSize;
  for (;;) {
    const seen = new Set(w.keysAtSince);
    const page = await io.changes(mapping.kind, rule.updatedAt, w.since ? new Date(w.since) : null, limit, input.before);
    const fresh = page.filter((c) => !seen.has(keyString(c.key)));
    if (fresh.length === 0) {
      if (page.length < limit) break;
      // A full page of entities already applied, all stamped at `since` (the new service stamps
      // whole seconds: a busy second holds more than a page): read further, or they are never sent.
      limit *= 2;
      continue;
    }
    limit = input.batchSize;
    const inverted: { key: Key; row: Record<string, unknown>; at: number; tombstone: boolean }[] = [];
    for (const c of fresh) {
      const at = instant(c.entity[rule.updatedAt], 'UTC');
      const r = entityToRow(mapping, c.key, c.entity);
      if (!r.ok || at === null) {
        totals.deadLetters++;
        input.onDeadLetter?.(keyString(c.key), r.ok ? `${rule.updatedAt} is not a timestamp` : r.reason);
        continue;
      }
      const tombstone = rule.tombstone !== undefined && c.entity[rule.tombstone] !== null && c.entity[rule.tombstone] !== undefined;
      inverted.push({ key: c.key, row: r.row, at, tombstone });
    }
    const existing = await io.rows(mapping, inverted);
    const upserts: Record<string, unknown>[] = [];
    const deletes: Record<string, unknown>[] = [];
    for (const e of inverted) {
      const k = keyString(e.key);
      const current = existing.get(k);
      const mysqlAt = current && updatedColumn ? instant(current[updatedColumn], columnZone) : null;
      if (mysqlAt !== null && mysqlAt > e.at) {
        totals.conflicts++;
        const winner = rule.conflict === 'datastore' ? 'datastore' : 'mysql';
        input.onConflict?.({ table: mapping.table, key: k, mysqlUpdatedAt: new Date(mysqlAt).toISOString(), datastoreUpdatedAt: new Date(e.at).toISOString(), winner });
        if (winner === 'mysql') continue;
      }
      if (e.tombstone) {
        if (current) deletes.push(e.row);
        continue;
      }
      // follow's own copies of MySQL rows come back here too: a row already equal is left alone.
      if (current && Object.entries(e.row).every(([c, v]) => sameValue(mapping, c, current[c], v))) {
        totals.unchanged++;
        continue;
      }
      upserts.push(e.row);
    }
    await io.write(mapping, upserts, deletes);
    totals.upserts += upserts.length;
    totals.deletes += deletes.length;
    const lastAt = new Date(Math.max(...fresh.map((c) => instant(c.entity[rule.updatedAt], 'UTC') ?? 0))).toISOString();
    const atLast = fresh.filter((c) => instant(c.entity[rule.updatedAt], 'UTC') === Date.parse(lastAt)).map((c) => keyString(c.key));
    w = { since: lastAt, keysAtSince: lastAt === w.since ? [...w.keysAtSince, ...atLast] : atLast };
    await io.saveWatermark(mapping.table, w, totals);
  }
  return { ...totals, watermark: w };
}
