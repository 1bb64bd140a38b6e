/**
 * Reads a jsondiffpatch delta (https://github.com/benjamine/jsondiffpatch/blob/master/docs/deltas.md)
 * into our differences, with both values and a kind. The diffing is the library's; this only names
 * what it found, at RFC 6902-style paths (a removed array item at its legacy index, an added or
 * changed one at its new index, a reordered array once, at the array's own path).
 */
import type { ArrayDelta, Delta, ObjectDelta } from 'jsondiffpatch';
import { escapeSegment } from './pointer.js';
import type { Difference } from './types.js';

export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function changed(path: string, legacy: unknown, next: unknown): Difference {
  return { path, kind: jsonType(legacy) === jsonType(next) ? 'changed' : 'type', legacy, new: next };
}

/** Which legacy index each item of the new array came from, for items present on both sides. */
function legacyIndexOf(delta: ArrayDelta, legacyLength: number, newLength: number): Map<number, number> {
  const removed = new Set<number>();
  const added = new Set<number>();
  const map = new Map<number, number>();
  for (const k of Object.keys(delta)) {
    if (k === '_t') continue;
    const d = (delta as unknown as Record<string, unknown[]>)[k];
    if (k[0] === '_') {
      const from = Number(k.slice(1));
      removed.add(from);
      if (Array.isArray(d) && d[2] === 3) {
        map.set(d[1] as number, from);
        added.add(d[1] as number);
      }
    } else if (Array.isArray(d) && d.length === 1) added.add(Number(k));
  }
  const kept: number[] = [];
  for (let i = 0; i < legacyLength; i++) if (!removed.has(i)) kept.push(i);
  let j = 0;
  for (let i = 0; i < newLength && j < kept.length; i++) if (!added.has(i)) map.set(i, kept[j++]!);
  return map;
}

function walkArray(delta: ArrayDelta, legacy: unknown, next: unknown, path: string, out: Difference[], sparse: ReadonlySet<object>): void {
  const l = Array.isArray(legacy) ? legacy : [];
  const r = Array.isArray(next) ? next : [];
  const entries = delta as unknown as Record<string, unknown>;
  const removedAt = new Map<number, unknown>();
  const addedAt = new Map<number, unknown>();
  const nested: [number, Delta][] = [];
  let moved = false;
  for (const k of Object.keys(entries)) {
    if (k === '_t') continue;
    const d = entries[k];
    if (k[0] === '_') {
      const arr = d as unknown[];
      if (arr[2] === 3) moved = true;
      else removedAt.set(Number(k.slice(1)), arr[0]);
    } else if (Array.isArray(d) && d.length === 1) addedAt.set(Number(k), d[0]);
    else if (Array.isArray(d) && d.length === 2) out.push(changed(`${path}/${k}`, d[0], d[1]));
    else nested.push([Number(k), d as Delta]);
  }
  if (moved) out.push({ path, kind: 'order', legacy, new: next });
  // An item removed and another added at the same index is one replaced item.
  for (const [i, v] of removedAt) {
    if (addedAt.has(i)) {
      out.push(changed(`${path}/${i}`, v, addedAt.get(i)));
      addedAt.delete(i);
    } else out.push({ path: `${path}/${i}`, kind: 'missing', legacy: v });
  }
  for (const [i, v] of addedAt) out.push({ path: `${path}/${i}`, kind: 'extra', new: v });
  if (nested.length > 0) {
    const from = legacyIndexOf(delta, l.length, r.length);
    for (const [i, d] of nested) {
      const li = from.get(i);
      walk(d, li === undefined ? undefined : l[li], r[i], `${path}/${i}`, out, sparse);
    }
  }
}

/**
 * The delta of a sparse object (narrow.ts: an array whose items all matched by position), reported as
 * walkArray reports such an array's: replaced items first, then the items' own differences.
 */
function walkSparse(delta: ObjectDelta, legacy: Record<string, unknown>, next: Record<string, unknown>, path: string, out: Difference[], sparse: ReadonlySet<object>): void {
  const keys = Object.keys(delta);
  for (const k of keys) {
    const d = delta[k];
    if (Array.isArray(d) && d.length === 2) out.push(changed(`${path}/${k}`, d[0], d[1]));
  }
  for (const k of keys) {
    const d = delta[k];
    if (!(Array.isArray(d) && d.length === 2)) walk(d, legacy[k], next[k], `${path}/${k}`, out, sparse);
  }
}

function walk(delta: Delta, legacy: unknown, next: unknown, path: string, out: Difference[], sparse: ReadonlySet<object>): void {
  if (delta === undefined) return;
  if (Array.isArray(delta)) {
    if (delta.length === 1) out.push({ path, kind: 'extra', new: delta[0] });
    else if (delta.length === 2) out.push(changed(path, delta[0], delta[1]));
    else if (delta[2] === 0) out.push({ path, kind: 'missing', legacy: delta[0] });
    else out.push(changed(path, legacy, next)); // a text diff; not produced (no textDiff option)
    return;
  }
  if ((delta as ArrayDelta)._t === 'a') return walkArray(delta as ArrayDelta, legacy, next, path, out, sparse);
  const obj = delta as ObjectDelta;
  if (sparse.size > 0 && sparse.has(legacy as object)) return walkSparse(obj, legacy as Record<string, unknown>, next as Record<string, unknown>, path, out, sparse);
  const l = (legacy ?? {}) as Record<string, unknown>;
  const r = (next ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(obj)) walk(obj[k], l[k], r[k], `${path}/${escapeSegment(k)}`, out, sparse);
}

/** `sparse`: the objects that stand for arrays in the narrowed documents (narrow.ts). */
export function deltaToDifferences(delta: Delta, legacy: unknown, next: unknown, sparse: ReadonlySet<object> = new Set()): Difference[] {
  const out: Difference[] = [];
  walk(delta, legacy, next, '', out, sparse);
  return out;
}
