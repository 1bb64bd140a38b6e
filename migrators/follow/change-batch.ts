import { keyString } from '../mapping/canonical.js';
import { mapKey, mapRow } from '../mapping/map-row.js';
import type { KeyPath, MapResult, TableMapping } from '../mapping/types.js';

/** One row change read from the binlog, in the shape mysql2 gives rows (the same as `run` reads). */
export type RowChange =
  | { table: string; op: 'insert' | 'delete'; row: Record<string, unknown> }
  | { table: string; op: 'update'; before: Record<string, unknown>; after: Record<string, unknown> };

/** A row as it was before the batch (undefined: the batch inserted it), for onChange hooks. */
type Before = { before?: Record<string, unknown> };

export type Mutation =
  | ({ op: 'upsert'; table: string; kind: string; key: KeyPath; entity: Extract<MapResult, { ok: true }> } & Before)
  | ({ op: 'delete'; table: string; kind: string; key: KeyPath } & Before)
  | { op: 'dead'; table: string; kind: string; key: string; reason: string };

/**
 * Row changes (in binlog order) → the mutations that leave Datastore as MySQL is after them: one per
 * entity key, the last change to a key winning, through the same mapping as `migrate run`. An update
 * that changes the primary key deletes the old entity. Pure: the caller writes the result.
 * Each upsert and delete carries the key's row as it was before the batch's first change to it
 * (a delete of a row the batch inserted carries the deleted row), so a hook sees what to undo.
 */
export function toMutations(changes: readonly RowChange[], mappings: ReadonlyMap<string, TableMapping>): Mutation[] {
  const byKey = new Map<string, Mutation>();
  const firstBefore = new Map<string, Record<string, unknown> | undefined>();
  const put = (m: Mutation, before?: Record<string, unknown>) => {
    const id = m.op === 'dead' ? `dead:${m.table}:${m.key}` : keyString(m.key);
    if (!firstBefore.has(id)) firstBefore.set(id, before);
    byKey.delete(id); // re-insert at the end: the map keeps the order of the last change per key
    if (m.op === 'dead') byKey.set(id, m);
    else {
      const was = firstBefore.get(id) ?? (m.op === 'delete' ? before : undefined);
      byKey.set(id, was ? { ...m, before: was } : m);
    }
  };
  const remove = (mapping: TableMapping, row: Record<string, unknown>) => {
    const k = mapKey(mapping, row);
    if (k.ok) put({ op: 'delete', table: mapping.table, kind: mapping.kind, key: k.key }, row);
    else put({ op: 'dead', table: mapping.table, kind: mapping.kind, key: k.key, reason: `delete: ${k.reason}` });
  };
  const upsert = (mapping: TableMapping, row: Record<string, unknown>, before?: Record<string, unknown>) => {
    const m = mapRow(mapping, row);
    if (m.ok) put({ op: 'upsert', table: mapping.table, kind: mapping.kind, key: m.key, entity: m }, before);
    // As in `run`: a row that cannot be written is a dead letter, and its entity is left as it was.
    else put({ op: 'dead', table: mapping.table, kind: mapping.kind, key: m.key, reason: m.reason });
  };
  for (const c of changes) {
    const mapping = mappings.get(c.table);
    if (!mapping) continue;
    if (c.op === 'insert') upsert(mapping, c.row);
    else if (c.op === 'delete') remove(mapping, c.row);
    else if (c.op === 'update') {
      const before = mapKey(mapping, c.before);
      const after = mapKey(mapping, c.after);
      const moved = before.ok && (!after.ok || keyString(before.key) !== keyString(after.key));
      if (moved) remove(mapping, c.before);
      upsert(mapping, c.after, moved ? undefined : c.before);
    }
  }
  return [...byKey.values()];
}
