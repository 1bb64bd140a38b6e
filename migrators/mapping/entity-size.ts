import type { KeyPath } from './types.js';

/**
 * Datastore's storage size of an entity (cloud.google.com/datastore/docs/concepts/storage-size):
 * key + Σ(property name + 1 + value) + 32. Used to refuse entities over the 1 MiB limit before a
 * commit fails on them, and to cap commit bytes.
 */
export function valueBytes(v: unknown): number {
  if (v === null || v === undefined) return 1;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8') + 1;
  if (typeof v === 'number' || typeof v === 'bigint') return 8;
  if (v instanceof Date) return 8;
  if (Buffer.isBuffer(v)) return v.length + 1;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + valueBytes(x), 0);
  const t = (v as { type?: unknown }).type;
  if (t === 'DatastoreInt' || t === 'DatastoreDouble') return 8;
  if (typeof v === 'object') return propertiesBytes(v as Record<string, unknown>);
  return 8;
}

export function propertiesBytes(data: Record<string, unknown>): number {
  let n = 0;
  for (const [k, v] of Object.entries(data)) n += Buffer.byteLength(k, 'utf8') + 1 + valueBytes(v);
  return n;
}

export function keyBytes(path: KeyPath): number {
  let n = 16;
  for (let i = 0; i < path.length; i += 2) {
    n += Buffer.byteLength(String(path[i]), 'utf8') + 1;
    const id = path[i + 1];
    n += typeof id === 'string' ? Buffer.byteLength(id, 'utf8') + 1 : 8;
  }
  return n;
}

export function entityBytes(path: KeyPath, data: Record<string, unknown>): number {
  return keyBytes(path) + propertiesBytes(data) + 32;
}
