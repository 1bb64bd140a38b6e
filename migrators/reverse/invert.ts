import type { Key } from '@google-cloud/datastore';
import { decodeKeyName } from '../keys/key-name.js';
import { zoneOffsetMs } from '../mapping/datetime.js';
import type { PropertyMapping, TableMapping } from '../mapping/types.js';

/**
 * The inverted mapping: an entity (read with wrapNumbers) → the MySQL row it stands for, the way
 * `run` maps a row to it read backwards: key → key columns (ids, names, `a:b` names, the ancestor
 * → the parent column), each property → its column in the column's own terms (a DATETIME as the
 * wall clock of its declared zone, a TIMESTAMP in UTC, a boolean as 0/1, a SET as 'a,b'). Pure.
 */
export type Inverted = { ok: true; row: Record<string, unknown> } | { ok: false; reason: string };

function unwrap(v: unknown): unknown {
  if (v && typeof v === 'object' && 'type' in v && ((v as { type: string }).type === 'DatastoreInt' || (v as { type: string }).type === 'DatastoreDouble')) return (v as unknown as { value: unknown }).value;
  return v;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** A Date as 'YYYY-MM-DD HH:MM:SS.mmm' on the wall clock of `zone`. */
export function wallClockText(d: Date, zone: string): string {
  const w = new Date(d.getTime() + zoneOffsetMs(zone, d.getTime()));
  return `${pad(w.getUTCFullYear(), 4)}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())}.${pad(w.getUTCMilliseconds(), 3)}`;
}

/** An embedded entity (or array) as JSON text; integers stay exact, as digits, whatever their size. */
function jsonText(v: unknown): string {
  if (v && typeof v === 'object' && (v as { type?: string }).type === 'DatastoreInt') return String((v as unknown as { value: unknown }).value);
  v = unwrap(v);
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  if (v && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
  return JSON.stringify(v ?? null);
}

function columnValue(p: PropertyMapping, raw: unknown): unknown {
  const v = unwrap(raw);
  if (v === null || v === undefined) return null;
  switch (p.type) {
    case 'int':
      return String(v);
    case 'double':
      return Number(v);
    case 'boolean':
      return v ? 1 : 0;
    case 'timestamp':
      return v instanceof Date ? wallClockText(v, p.timeZone ?? 'UTC') : v;
    case 'entity':
    case 'json':
      return typeof v === 'string' ? v : jsonText(raw);
    case 'array':
      return Array.isArray(v) ? v.join(',') : v;
    default:
      return v;
  }
}

export function entityToRow(mapping: TableMapping, key: Key, entity: Record<string, unknown>): Inverted {
  if (mapping.transform || mapping.transformModule) return { ok: false, reason: `table ${mapping.table} has a transform, which cannot be inverted` };
  const row: Record<string, unknown> = {};
  const own = key.id ?? key.name;
  if (own === undefined) return { ok: false, reason: 'the entity has an incomplete key' };
  const parts = mapping.key.columns.length > 1 ? decodeKeyName(String(own)) : [String(own)];
  if (parts.length !== mapping.key.columns.length) return { ok: false, reason: `key name "${String(own)}" does not have ${mapping.key.columns.length} parts` };
  mapping.key.columns.forEach((c, i) => (row[c] = parts[i]));
  if (mapping.parent) {
    const parent = key.parent?.id ?? key.parent?.name;
    if (parent === undefined) return { ok: false, reason: `the entity has no ${mapping.parent.kind} ancestor` };
    row[mapping.parent.column] = String(parent);
  }
  for (const p of mapping.properties) {
    if (!(p.property in entity)) continue;
    row[p.column] = columnValue(p, entity[p.property]);
  }
  return { ok: true, row };
}
