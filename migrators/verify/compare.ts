import { createHash } from 'node:crypto';
import type { CanonicalFields } from '../mapping/canonical.js';
import type { Difference, FieldDiff } from './report.js';

/** One side of a chunk: key string → canonical fields. */
export type ChunkSide = Map<string, CanonicalFields>;

/**
 * A chunk's digest over the canonical encoding: keys in sorted order, each with its fields in sorted
 * order. Equal digests mean equal chunks, so only differing chunks are compared row by row.
 */
export function chunkHash(side: ChunkSide): string {
  const h = createHash('sha1');
  for (const key of [...side.keys()].sort()) {
    h.update(key).update('\u0000');
    const fields = side.get(key)!;
    for (const name of Object.keys(fields).sort()) h.update(name).update('=').update(fields[name]!).update('\u0001');
    h.update('\u0002');
  }
  return h.digest('hex');
}

/**
 * Row-level comparison of one chunk: every source key missing in the target, and every property
 * that differs (absent on one side counts as a difference). `columnOf` names the MySQL column.
 */
export function compareChunk(source: ChunkSide, target: ChunkSide, pkOf: (key: string) => string, columnOf: (property: string) => string): Difference[] {
  const out: Difference[] = [];
  for (const [key, want] of source) {
    const got = target.get(key);
    if (!got) {
      out.push({ type: 'MISSING_IN_TARGET', key, pk: pkOf(key) });
      continue;
    }
    const fields: FieldDiff[] = [];
    for (const property of [...new Set([...Object.keys(want), ...Object.keys(got)])].sort()) {
      const a = want[property] ?? 'absent';
      const b = got[property] ?? 'absent';
      if (a !== b) fields.push({ property, column: columnOf(property), source: a, target: b });
    }
    if (fields.length > 0) out.push({ type: 'FIELD_DIFF', key, pk: pkOf(key), fields });
  }
  return out;
}
