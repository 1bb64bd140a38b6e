import type { KeyPath } from './types.js';

/**
 * An entity's size as Datastore counts it (cloud.google.com/datastore/docs/concepts/storage-size):
 * string size = UTF-8 bytes + 1; blob = its length; null, boolean 1; integer, double, timestamp 8;
 * array = Σ values; embedded entity = Σ (name + value); key = project + namespace (+ database) + Σ (kind +
 * id 8 or name); entity = key + Σ (property name + value) + 32.
 * Measured against the emulator, this formula puts the line exactly where it does ("maximum entity size is
 * 1048576 bytes": two 524,240-byte blobs pass, two of 524,245 do not, and the line moves with the length of
 * the namespace, kind and property names). The documented production limit is 4 bytes lower (1,048,572).
 */
const stringSize = (s: string): number => Buffer.byteLength(s, 'utf8') + 1;

export function valueBytes(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return stringSize(v);
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof Date) return 8;
  if (Buffer.isBuffer(v)) return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + valueBytes(x), 0);
  const t = (v as { type?: unknown }).type;
  if (t === 'DatastoreInt' || t === 'DatastoreDouble') return 8;
  if (typeof v === 'object') return propertiesBytes(v as Record<string, unknown>);
  return 8;
}

export function propertiesBytes(data: Record<string, unknown>): number {
  let n = 0;
  for (const [k, v] of Object.entries(data)) n += stringSize(k) + valueBytes(v);
  return n;
}

/** What the key's partition adds: the project, database and namespace strings. */
export function partitionBytes(projectId: string, databaseId = '', namespace = ''): number {
  return stringSize(projectId) + stringSize(namespace) + (databaseId ? stringSize(databaseId) : 0);
}

/** When the target is not known (unit tests): a 30-character project and a 30-character namespace. */
const DEFAULT_PARTITION = 62;

export function keyBytes(path: KeyPath, partition = DEFAULT_PARTITION): number {
  let n = partition;
  for (let i = 0; i < path.length; i += 2) {
    const id = path[i + 1];
    n += stringSize(String(path[i])) + (typeof id === 'string' ? stringSize(id) : 8);
  }
  return n;
}

export function entityBytes(path: KeyPath, data: Record<string, unknown>, partition = DEFAULT_PARTITION): number {
  return keyBytes(path, partition) + propertiesBytes(data) + 32;
}
