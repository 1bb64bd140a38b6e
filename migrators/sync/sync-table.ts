import type { Key } from '@google-cloud/datastore';
import pLimit from 'p-limit';
import { entityKeyString, keyString } from '../mapping/canonical.js';
import { mapRow } from '../mapping/map-row.js';
import type { KeyPath, TableMapping } from '../mapping/types.js';
import { splitIntoCommits } from '../copy/batcher.js';
import type { DeadLetterSink } from '../copy/dead-letters.js';
import type { DatastoreSink, EntityWrite } from '../datastore/sink.js';
import { quoteId } from '../mysql/keyset.js';
import { keyOf, type KeyColumn, type KeyValue } from '../keys/key.js';
import type { MysqlSource } from '../mysql/source.js';
import { findOrphans } from './orphans.js';

export interface SyncTableInput {
  table: string;
  mapping: TableMapping;
  key: readonly (KeyColumn & { binary?: boolean })[];
  updatedAt: string;
  /** Lower bound for updatedAt, in the column's own terms (see watermark.ts). */
  since: string;
  source: MysqlSource;
  sink: DatastoreSink;
  toKey: (path: KeyPath) => Key;
  deadLetters: DeadLetterSink;
  print: boolean;
  delete: boolean;
  batchSize: number;
  concurrency: number;
  /** Called for each change when previewing. */
  onPreview?: (line: { action: 'upsert' | 'delete'; key: string; pk?: string; updatedAt?: unknown }) => void;
}

export interface SyncTableResult {
  table: string;
  kind: string;
  since: string;
  upserted: number;
  deleted: number;
  deadLetters: number;
  printed: boolean;
}

/**
 * Catch-up after a backfill: re-copies rows changed since the watermark (keyset chunks over the
 * primary key, filtered on updatedAt, so a long catch-up is as cheap per chunk as the backfill) and,
 * with delete on, removes entities whose row is gone. `print` reads everything and writes nothing.
 */
export async function syncTable(input: SyncTableInput): Promise<SyncTableResult> {
  const limit = pLimit(input.concurrency);
  const result: SyncTableResult = { table: input.table, kind: input.mapping.kind, since: input.since, upserted: 0, deleted: 0, deadLetters: 0, printed: input.print };
  let after: KeyValue[] | null = null;
  const where = { sql: `${quoteId(input.updatedAt)} >= ?`, params: [input.since] };
  for (;;) {
    const rows = await input.source.readChunk({ table: input.table, key: input.key, after, limit: 2000, where });
    if (rows.length === 0) break;
    after = keyOf(rows[rows.length - 1]!, input.key);
    const writes: EntityWrite[] = [];
    for (const row of rows) {
      const m = mapRow(input.mapping, row);
      if (!m.ok) {
        result.deadLetters++;
        if (!input.print) input.deadLetters.write({ table: input.table, kind: input.mapping.kind, key: m.key, reason: m.reason });
        continue;
      }
      if (input.print) input.onPreview?.({ action: 'upsert', key: keyString(m.key), updatedAt: row[input.updatedAt] });
      writes.push({ key: input.toKey(m.key), data: m.data, excludeFromIndexes: m.excludeFromIndexes, approxBytes: m.approxBytes });
    }
    if (input.print) {
      result.upserted += writes.length;
      continue;
    }
    const rejected = await Promise.all(splitIntoCommits(writes, input.batchSize).map((b) => limit(() => input.sink.upsert(b))));
    for (const r of rejected.flat()) {
      result.deadLetters++;
      input.deadLetters.write({ table: input.table, kind: input.mapping.kind, key: entityKeyString(r.item.key as never), reason: r.reason });
    }
    result.upserted += writes.length - rejected.flat().length;
  }
  if (input.delete) {
    for await (const page of findOrphans({ table: input.table, mapping: input.mapping, key: input.key, source: input.source, sink: input.sink })) {
      if (input.print) for (const k of page.keys) input.onPreview?.({ action: 'delete', key: entityKeyString(k as never) });
      else for (const b of chunks(page.keys, 500)) await limit(() => input.sink.delete(b));
      result.deleted += page.keys.length;
    }
  }
  return result;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
