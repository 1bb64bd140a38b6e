import type { Key } from '@google-cloud/datastore';
import pLimit from 'p-limit';
import { canonicalData, canonicalEntity, entityKeyString, keyString, type CanonicalFields } from '../mapping/canonical.js';
import { mapRow, primaryKeyText } from '../mapping/map-row.js';
import type { KeyPath, TableMapping } from '../mapping/types.js';
import type { DatastoreSink } from '../datastore/sink.js';
import { keyOf, type KeyColumn, type KeyValue } from '../keys/key.js';
import type { MysqlSource, Row } from '../mysql/source.js';
import { createHeapPacer } from '../copy/heap-pacer.js';
import { findOrphans } from '../sync/orphans.js';
import { chunkHash, compareChunk, type ChunkSide } from './compare.js';
import { MAX_LISTED, type Difference, type TableVerification } from './report.js';

export interface VerifyTableInput {
  table: string;
  mapping: TableMapping;
  key: readonly (KeyColumn & { binary?: boolean })[];
  source: MysqlSource;
  sink: DatastoreSink;
  toKey: (path: KeyPath) => Key;
  /** Percentage of chunks to compare, 0 < sample ≤ 100. */
  sample: number;
  chunkSize?: number;
  concurrency?: number;
  random?: () => number;
  onProgress?: (e: { table: string; rows: number; total: number }) => void;
}

/**
 * Verifies one table: the counts; then, chunk by chunk along the primary key, a digest of the rows
 * mapped through the same mapping against a digest of the entities read back by key (numbers
 * wrapped), and row by row only where the digests differ; then, when the counts or the chunks
 * leave room for one, a keys-only pass for entities that have no row.
 */
export async function verifyTable(input: VerifyTableInput): Promise<TableVerification> {
  const started = performance.now();
  const kind = input.mapping.kind;
  const [sourceRows, targetEntities] = await Promise.all([input.source.count(input.table, input.key), input.sink.count(kind)]);
  const random = input.random ?? Math.random;
  const chunkSize = input.chunkSize ?? 1000;
  const limit = pLimit(input.concurrency ?? 8);
  const differences: Difference[] = [];
  const counts: TableVerification['counts'] = { MISSING_IN_TARGET: 0, EXTRA_IN_TARGET: 0, FIELD_DIFF: 0 };
  const add = (d: Difference) => {
    counts[d.type]++;
    if (differences.length < MAX_LISTED) differences.push(d);
  };
  const columnOf = (property: string) => input.mapping.properties.find((p) => p.property === property)?.column ?? property;
  let chunks = 0;
  let chunksCompared = 0;
  let chunksDiffering = 0;
  let rowsCompared = 0;
  let rowsSeen = 0;
  let mappedOk = 0;
  let missingMapped = 0;

  const compare = async (rows: Row[]) => {
    const source: ChunkSide = new Map();
    const pks = new Map<string, string>();
    const keys: Key[] = [];
    const keyStrings: string[] = [];
    for (const row of rows) {
      const m = mapRow(input.mapping, row);
      if (!m.ok) {
        // A row that cannot be mapped cannot be in the target: the copy dead-lettered it.
        add({ type: 'MISSING_IN_TARGET', key: '', pk: m.key, reason: m.reason });
        continue;
      }
      mappedOk++;
      const ks = keyString(m.key);
      source.set(ks, canonicalData(m.data));
      pks.set(ks, primaryKeyText(input.mapping, row));
      keys.push(input.toKey(m.key));
      keyStrings.push(ks);
    }
    const found = await input.sink.lookup(keys);
    const target: ChunkSide = new Map();
    // lookup answers in the order asked, so an entity's key is the one asked for at its place.
    found.forEach((e, i) => e && target.set(keyStrings[i]!, canonicalEntity(e as Record<string, unknown>) as CanonicalFields));
    chunksCompared++;
    rowsCompared += rows.length;
    if (chunkHash(source) === chunkHash(target)) return;
    chunksDiffering++;
    for (const d of compareChunk(source, target, (k) => pks.get(k) ?? k, columnOf)) {
      if (d.type === 'MISSING_IN_TARGET') missingMapped++;
      add(d);
    }
  };

  const inFlight = new Set<Promise<void>>();
  const pacer = createHeapPacer();
  let failure: unknown;
  let after: KeyValue[] | null = null;
  const keyColumns = input.key.map((c) => c.name);
  for (;;) {
    while (inFlight.size >= (input.concurrency ?? 8) * 2) await Promise.race(inFlight);
    if (failure !== undefined) break;
    const selected = input.sample >= 100 || random() * 100 < input.sample;
    // A chunk left out of the sample costs only a read of its keys, to move on.
    const rows = await input.source.readChunk({ table: input.table, key: input.key, after, limit: chunkSize, columns: selected ? undefined : keyColumns });
    if (rows.length === 0) break;
    chunks++;
    rowsSeen += rows.length;
    after = keyOf(rows[rows.length - 1]!, input.key);
    if (selected) {
      const p = limit(() => compare(rows).then(() => void pacer.check())).catch((err) => void (failure ??= err));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    input.onProgress?.({ table: input.table, rows: rowsSeen, total: sourceRows });
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;

  // Extra entities are possible only if the target holds more than the rows found in it:
  // with a full pass, targetEntities = mapped rows present + extras, so no missing row and equal
  // counts prove there are none. Otherwise (or when sampling) scan the keys.
  const present = mappedOk - missingMapped;
  const extraScan = input.sample < 100 ? targetEntities !== sourceRows : targetEntities !== present;
  if (extraScan) {
    for await (const page of findOrphans({ table: input.table, mapping: input.mapping, key: input.key, source: input.source, sink: input.sink })) {
      for (const k of page.keys) add({ type: 'EXTRA_IN_TARGET', key: entityKeyString(k as never) });
    }
  }
  const clean = counts.MISSING_IN_TARGET + counts.EXTRA_IN_TARGET + counts.FIELD_DIFF === 0 && sourceRows === targetEntities;
  return {
    table: input.table,
    kind,
    sourceRows,
    targetEntities,
    sample: input.sample,
    chunks,
    chunksCompared,
    chunksDiffering,
    rowsCompared,
    extraScan,
    counts,
    differences,
    ms: Math.round(performance.now() - started),
    clean,
  };
}
