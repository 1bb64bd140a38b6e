import type { Key } from '@google-cloud/datastore';
import { entityKeyString, keyString } from '../mapping/canonical.js';
import { mapRow } from '../mapping/map-row.js';
import type { TableMapping } from '../mapping/types.js';
import type { DatastoreSink } from '../datastore/sink.js';
import type { KeyColumn, KeyValue } from '../keys/key.js';
import type { MysqlSource } from '../mysql/source.js';
import { primaryKeyOf } from './key-decode.js';

export interface OrphanScan {
  table: string;
  mapping: TableMapping;
  key: readonly (KeyColumn & { binary?: boolean })[];
  source: MysqlSource;
  sink: DatastoreSink;
  pageSize?: number;
}

/**
 * Entities of the table's kind whose row no longer exists (or never did): a keys-only scan of the
 * kind, page by page; each page's keys are turned back into primary keys and looked up in MySQL in
 * one query; a row that exists must also map to exactly that key (same parent), or the entity is
 * still an orphan. Memory holds one page, whatever the table size.
 */
export async function* findOrphans(scan: OrphanScan): AsyncGenerator<{ keys: Key[]; scanned: number }> {
  for await (const page of scan.sink.keys(scan.mapping.kind, scan.pageSize ?? 1000)) {
    const orphans: Key[] = [];
    const candidates: { key: Key; pk: KeyValue[] }[] = [];
    for (const key of page) {
      const pk = primaryKeyOf(key, scan.mapping, scan.key);
      if (pk) candidates.push({ key, pk });
      else orphans.push(key);
    }
    const rows = await scan.source.existing(scan.table, scan.key, candidates.map((c) => c.pk));
    const live = new Set<string>();
    for (const row of rows) {
      const m = mapRow(scan.mapping, row);
      if (m.ok) live.add(keyString(m.key));
    }
    for (const c of candidates) if (!live.has(entityKeyString(c.key as never))) orphans.push(c.key);
    yield { keys: orphans, scanned: page.length };
  }
}
