import { Datastore } from '@google-cloud/datastore';
import { convertValue } from './convert.js';
import { keyBytes, valueBytes } from './entity-size.js';
import { encodeKeyName, keyPartText } from '../keys/key-name.js';
import { INT64_MAX, MAX_ENTITY_BYTES, MAX_INDEXED_BYTES, MAX_VALUE_BYTES, type KeyPath, type KeyStrategy, type MapResult, type TableMapping } from './types.js';

/**
 * One MySQL row → one Datastore entity (key, data, index exclusions, size), or the reason it cannot
 * be written. Pure: no I/O and no Datastore client (Datastore.int/double are static helpers).
 */
export function mapRow(mapping: TableMapping, row: Readonly<Record<string, unknown>>): MapResult {
  const fail = (reason: string): MapResult => ({ ok: false, key: primaryKeyText(mapping, row), reason });

  const key: KeyPath = [];
  if (mapping.parent) {
    const id = keyIdentifier(mapping.parent.strategy, [row[mapping.parent.column]], false);
    if (typeof id === 'object' && 'error' in id) return fail(`parent column ${mapping.parent.column}: ${id.error}`);
    key.push(mapping.parent.kind, id);
  }
  const own = keyIdentifier(
    mapping.key.strategy,
    mapping.key.columns.map((c) => row[c]),
    mapping.key.columns.length > 1,
  );
  if (typeof own === 'object' && 'error' in own) return fail(`key: ${own.error}`);
  key.push(mapping.kind, own);

  let data: Record<string, unknown> = {};
  let zeroDates = 0;
  for (const p of mapping.properties) {
    const r = convertValue(row[p.column], p.type, p.timeZone);
    if (!r.ok) return fail(`column ${p.column}: ${r.reason}`);
    if (r.zeroDate) zeroDates++;
    data[p.property] = r.value;
  }

  if (mapping.transform) {
    const transformName = mapping.transformModule ? `transform ${mapping.transformModule}` : 'transform';
    try {
      const out = mapping.transform(row, { ...data });
      if (out === null || typeof out !== 'object' || Array.isArray(out)) return fail(`${transformName} returned ${out === null ? 'null' : Array.isArray(out) ? 'an array' : typeof out}, not an entity object`);
      data = out;
    } catch (err) {
      return fail(`${transformName} threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  // One pass over the properties: the per-value limit, index exclusions and the entity's size.
  const unindexed = mapping.properties.length > 0 ? unindexedProperties(mapping) : new Set<string>();
  const excludeFromIndexes: string[] = [];
  let approxBytes = keyBytes(key, mapping.partitionBytes) + 32;
  for (const name in data) {
    const v = data[name];
    const bytes = valueBytes(v);
    const raw = typeof v === 'string' ? bytes - 1 : bytes; // a string's size counts one byte more
    if (raw > MAX_VALUE_BYTES) {
      return fail(`property ${name} is ${raw.toLocaleString('en-US')} bytes, over Datastore's limit of ${MAX_VALUE_BYTES.toLocaleString('en-US')} bytes for one value`);
    }
    approxBytes += Buffer.byteLength(name, 'utf8') + 1 + bytes;
    const before = excludeFromIndexes.length;
    exclude(name, v, unindexed.has(name), excludeFromIndexes);
    if (excludeFromIndexes.length > before && /[.[\]]/.test(name)) {
      // The client reads '.' and '[]' in an exclusion path as nesting: such a name cannot be unindexed,
      // and an indexed value over 1500 bytes would fail the whole commit.
      return fail(`property "${name}" must be unindexed, which the Datastore client cannot do for a name with "." or "[": rename the column`);
    }
  }
  if (approxBytes > MAX_ENTITY_BYTES) {
    return fail(`entity is ${approxBytes.toLocaleString('en-US')} bytes, over Datastore's limit of ${MAX_ENTITY_BYTES.toLocaleString('en-US')} bytes`);
  }
  return { ok: true, key, data, excludeFromIndexes, approxBytes, zeroDates };
}

type Identifier = string | ReturnType<typeof Datastore.int> | { error: string };

/** A key's id (strategy 'id': 1..2^63−1) or name (one value as is; several joined and escaped). */
function keyIdentifier(strategy: KeyStrategy, values: unknown[], composite: boolean): Identifier {
  if (values.some((v) => v === null || v === undefined)) return { error: 'a key column is NULL' };
  if (strategy === 'id') {
    const text = keyPartText(values[0]);
    if (!/^\d+$/.test(text) || BigInt(text) < 1n || BigInt(text) > INT64_MAX) {
      return { error: `${text} cannot be a Datastore id (ids are 1 to 2^63−1); use a key name` };
    }
    return Datastore.int(BigInt(text).toString());
  }
  const parts = values.map(keyPartText);
  const name = composite ? encodeKeyName(parts) : parts[0]!;
  if (name === '') return { error: 'an empty key name is not allowed in Datastore' };
  if (/^__.*__$/.test(name)) return { error: `key name "${name}" is reserved in Datastore (__…__)` };
  if (Buffer.byteLength(name, 'utf8') > MAX_INDEXED_BYTES) return { error: `key name is longer than ${MAX_INDEXED_BYTES} bytes` };
  return name;
}

/** The row's primary key as text, for dead letters: `7`, `a:b`. */
export function primaryKeyText(mapping: TableMapping, row: Readonly<Record<string, unknown>>): string {
  const parts = mapping.key.columns.map((c) => (row[c] === null || row[c] === undefined ? 'NULL' : keyPartText(row[c])));
  return parts.length > 1 ? encodeKeyName(parts) : (parts[0] ?? '');
}

function isLong(v: unknown): boolean {
  if (typeof v === 'string') return v.length > MAX_INDEXED_BYTES / 4 && Buffer.byteLength(v, 'utf8') > MAX_INDEXED_BYTES;
  return Buffer.isBuffer(v) && v.length > MAX_INDEXED_BYTES;
}

function isEmbeddedEntity(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date || Buffer.isBuffer(v)) return false;
  const t = (v as { type?: unknown }).type;
  return t !== 'DatastoreInt' && t !== 'DatastoreDouble';
}

const unindexedCache = new WeakMap<TableMapping, Set<string>>();

function unindexedProperties(mapping: TableMapping): Set<string> {
  let set = unindexedCache.get(mapping);
  if (!set) unindexedCache.set(mapping, (set = new Set(mapping.properties.filter((p) => !p.indexed).map((p) => p.property))));
  return set;
}

/**
 * Unindexed: properties the mapping marks so, every embedded entity (JSON objects), and any string
 * or blob over 1500 bytes (Datastore refuses to index those). Arrays use the client's `name[]` path.
 */
function exclude(name: string, v: unknown, unindexed: boolean, out: string[]): void {
  if (Array.isArray(v)) {
    const entities = v.some(isEmbeddedEntity);
    if (unindexed || entities || v.some(isLong)) out.push(`${name}[]`);
    if (entities) out.push(`${name}[].*`);
  } else if (isEmbeddedEntity(v)) {
    // Excluding an entity value does not exclude what it contains (the emulator refuses a long
    // nested string even so); the client's `name.*` path walks every nested property and array.
    out.push(name, `${name}.*`);
  } else if (unindexed || isLong(v)) {
    out.push(name);
  }
}

const keyOnlyCache = new WeakMap<TableMapping, TableMapping>();

/** The row's entity key alone (a delete needs nothing else, and must not fail on a value). */
export function mapKey(mapping: TableMapping, row: Readonly<Record<string, unknown>>): MapResult {
  let keyOnly = keyOnlyCache.get(mapping);
  if (!keyOnly) {
    const { transform: _t, transformModule: _m, ...rest } = mapping;
    keyOnlyCache.set(mapping, (keyOnly = { ...rest, properties: [] }));
  }
  return mapRow(keyOnly, row);
}
