import type { Key } from '@google-cloud/datastore';
import { keyOf, type KeyColumn, type KeyValue } from '../keys/key.js';
import { mapKey } from '../mapping/map-row.js';
import type { KeyPath, TableMapping } from '../mapping/types.js';
import { instant } from './reverse-table.js';

export interface KeySetIo {
  /** The table's rows after `after` in key order (the key, parent and updatedAt columns), at most `limit`. */
  rows(after: readonly KeyValue[] | null, limit: number): Promise<Record<string, unknown>[]>;
  /** Whether each key's entity exists, in order. */
  exist(keys: readonly Key[]): Promise<boolean[]>;
  /** Deletes these rows (key columns) in one transaction, as reverse's own writes. */
  remove(rows: readonly Record<string, unknown>[]): Promise<void>;
}

export interface KeySetInput {
  mapping: TableMapping;
  key: readonly KeyColumn[];
  toKey(path: KeyPath): Key;
  io: KeySetIo;
  /**
   * Rows last changed in MySQL before this instant are known to Datastore (follow, sync or the
   * backfill has copied them); a newer row without an entity may simply not be copied yet, and is
   * left alone.
   */
  settledBefore: number;
  batchSize: number;
  onDelete?(row: Record<string, unknown>): void;
}

export interface KeySetResult {
  scanned: number;
  deleted: number;
  /** Rows without an entity, changed too recently to tell a delete from a row not copied yet. */
  unsettled: number;
}

/**
 * Deletes by key-set comparison, for a new service that deletes entities outright (no tombstone):
 * every row of the table is looked up by its entity key, and a row whose entity is gone — and that
 * MySQL has not changed since Datastore last caught up — is deleted from MySQL. A full scan: run it
 * now and then, not on every pass.
 */
export async function reverseKeySet(input: KeySetInput): Promise<KeySetResult> {
  const { mapping, io } = input;
  const updated = mapping.updatedAt;
  if (!updated) throw new Error(`reverse key-set deletes of ${mapping.table} need its updatedAt column`);
  const zone = mapping.properties.find((p) => p.column === updated)?.timeZone ?? 'UTC';
  const out: KeySetResult = { scanned: 0, deleted: 0, unsettled: 0 };
  let after: KeyValue[] | null = null;
  for (;;) {
    const rows = await io.rows(after, input.batchSize);
    if (rows.length === 0) break;
    after = keyOf(rows[rows.length - 1]!, input.key);
    out.scanned += rows.length;
    const keyed = rows.flatMap((row) => {
      const k = mapKey(mapping, row);
      return k.ok ? [{ row, key: input.toKey(k.key) }] : [];
    });
    const exist = await io.exist(keyed.map((k) => k.key));
    const gone: Record<string, unknown>[] = [];
    keyed.forEach(({ row }, i) => {
      if (exist[i]) return;
      const at = instant(row[updated], zone);
      if (at === null || at >= input.settledBefore) out.unsettled++;
      else gone.push(Object.fromEntries(mapping.key.columns.map((c) => [c, row[c]])));
    });
    if (gone.length > 0) {
      await io.remove(gone);
      out.deleted += gone.length;
      for (const g of gone) input.onDelete?.(g);
    }
    if (rows.length < input.batchSize) break;
  }
  return out;
}
