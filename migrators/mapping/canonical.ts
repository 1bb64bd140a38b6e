import { mapRow } from './map-row.js';
import { encodeKeyName } from '../keys/key-name.js';
import type { KeyPath, TableMapping } from './types.js';

/**
 * A canonical text encoding of Datastore values, so that verify compares a MySQL row (through the
 * mapping) and the entity read back from Datastore on equal terms, and can hash chunks of them.
 *
 * Values are encoded as they come back from `ds.get/runQuery(..., { wrapNumbers: true })`: an integer
 * is an Int (`i:<digits>`), a plain JS number is a double (`d:<number>`), a Date is `t:<ISO ms>`, a
 * Buffer `b:<base64>`, a string `s:<JSON>`, booleans `true`/`false`, null `null`, arrays `[a,b]` and
 * embedded entities `{k=v,…}` with sorted keys. A property that is absent encodes as `absent`.
 */
export function canonicalValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'absent';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return `s:${JSON.stringify(v)}`;
  if (typeof v === 'number') return `d:${Object.is(v, -0) ? '-0' : String(v)}`;
  if (typeof v === 'bigint') return `i:${v}`;
  if (v instanceof Date) return `t:${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()}`;
  if (Buffer.isBuffer(v)) return `b:${v.toString('base64')}`;
  if (Array.isArray(v)) return `[${v.map(canonicalValue).join(',')}]`;
  const o = v as Record<string | symbol, unknown>;
  if (o.type === 'DatastoreInt') return `i:${BigInt(String(o.value))}`;
  if (o.type === 'DatastoreDouble') return canonicalValue(Number(o.value));
  if (isKey(o)) return `k:${keyString(keyPathOf(o))}`;
  const keys = Object.keys(o).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}=${canonicalValue(o[k])}`).join(',')}}`;
}

/**
 * What the client writes for a value built by mapRow or a transform: a plain integral JS number is
 * written as an integer (the client's own rule), so it reads back as an Int.
 */
function asWritten(v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (Array.isArray(v)) return v.map(asWritten);
  if (v && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v) && !('type' in v) && !isKey(v as Record<string, unknown>)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asWritten(x)]));
  }
  return v;
}

export type CanonicalFields = Record<string, string>;

/** The canonical fields of entity data as mapRow (or a transform) builds it, before it is written. */
export function canonicalData(data: Record<string, unknown>): CanonicalFields {
  const out: CanonicalFields = {};
  for (const k of Object.keys(data).sort()) out[k] = canonicalValue(asWritten(data[k]));
  return out;
}

/** The canonical fields of an entity read back with wrapNumbers: true (its key symbol is ignored). */
export function canonicalEntity(entity: Record<string, unknown>): CanonicalFields {
  const out: CanonicalFields = {};
  for (const k of Object.keys(entity).sort()) out[k] = canonicalValue(entity[k]);
  return out;
}

/** A MySQL row through the mapping: its key string and canonical fields, or why it cannot be mapped. */
export function canonicalRow(mapping: TableMapping, row: Readonly<Record<string, unknown>>): { ok: true; key: string; fields: CanonicalFields } | { ok: false; key: string; reason: string } {
  const r = mapRow(mapping, row);
  if (!r.ok) return r;
  return { ok: true, key: keyString(r.key), fields: canonicalData(r.data) };
}

/** One string per key, equal for a KeyPath built by mapRow and the key of the entity read back. */
export function keyString(path: KeyPath): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; i += 2) {
    const id = path[i + 1];
    const ident = typeof id === 'string' ? `name=${id}` : `id=${typeof id === 'object' && id !== null ? String((id as { value: unknown }).value) : String(id)}`;
    parts.push(encodeKeyName([String(path[i]), ident]));
  }
  return parts.join('/');
}

function isKey(o: Record<string | symbol, unknown>): boolean {
  return o !== null && typeof o === 'object' && typeof o.kind === 'string' && 'path' in o && Array.isArray(o.path) && 'namespace' in o;
}

/** The path of a @google-cloud/datastore Key (ids are strings in Key.id). */
function keyPathOf(key: Record<string | symbol, unknown>): KeyPath {
  const path: KeyPath = [];
  const chain: Record<string, unknown>[] = [];
  for (let k: Record<string, unknown> | undefined = key as Record<string, unknown>; k; k = k.parent as Record<string, unknown> | undefined) chain.unshift(k);
  for (const k of chain) {
    path.push(String(k.kind));
    if (k.name !== undefined) path.push(String(k.name));
    else path.push({ type: 'DatastoreInt', value: String(k.id) } as unknown as KeyPath[number]);
  }
  return path;
}

/** The key string of an entity read back from Datastore: `keyString` of its `ds.KEY`. */
export function entityKeyString(key: { kind: string; id?: string | number; name?: string; parent?: unknown; path: unknown[]; namespace?: string }): string {
  return keyString(keyPathOf(key as unknown as Record<string, unknown>));
}
