/**
 * Keyset pagination on the primary key, never OFFSET: each chunk starts strictly after the last key
 * of the previous one, so a chunk costs the same at row 10 as at row 10 million and a resume needs
 * only the last key. Composite keys use row-value comparison, (a, b) > (?, ?), with a redundant
 * `a >= ?` in front: it has the same meaning, and lets every MySQL/MariaDB version use the index
 * range on the first column even where the row constructor is not range-optimised.
 */
import type { ShardRange } from '../copy/shard.js';
import { encodeKeyName, keyPartText } from '../mapping/key-name.js';

export interface KeyColumn {
  name: string;
  /** An integer column: bound values are sent as exact integers (BigInt), never as strings
   * that MySQL would compare as doubles and so round beyond 2^53. */
  integer: boolean;
}

/** A primary-key value as read (mysql2: number, exact string, or Buffer for binary keys). */
export type KeyValue = string | number | Buffer;

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

export function quoteId(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

function bind(col: KeyColumn, value: KeyValue): unknown {
  if (col.integer && (typeof value === 'string' || typeof value === 'number')) return BigInt(value);
  return value;
}

export interface KeysetOptions {
  table: string;
  key: readonly KeyColumn[];
  /** Columns to select; default all. */
  columns?: readonly string[];
  after: readonly KeyValue[] | null;
  /** Inclusive upper bound on the whole key (verify reads the same key range as a target chunk). */
  upTo?: readonly KeyValue[] | null;
  range?: ShardRange;
  limit?: number;
  /** An extra condition, e.g. the sync watermark. */
  where?: SqlQuery;
}

function rowValue(key: readonly KeyColumn[]): string {
  return key.length === 1 ? quoteId(key[0]!.name) : `(${key.map((c) => quoteId(c.name)).join(', ')})`;
}

function tuple(key: readonly KeyColumn[], values: readonly KeyValue[], params: unknown[]): string {
  if (values.length !== key.length) throw new Error(`key has ${key.length} column(s), got ${values.length} value(s)`);
  key.forEach((c, i) => params.push(bind(c, values[i]!)));
  return key.length === 1 ? '?' : `(${key.map(() => '?').join(', ')})`;
}

/** Conditions shared by every keyset query: after the last key, within the shard range. */
export function keysetConditions(o: Omit<KeysetOptions, 'table' | 'columns' | 'limit'>): SqlQuery {
  const conds: string[] = [];
  const params: unknown[] = [];
  const first = o.key[0]!;
  if (o.range?.from != null) {
    conds.push(`${quoteId(first.name)} >= ?`);
    params.push(BigInt(o.range.from));
  }
  if (o.range?.to != null) {
    conds.push(`${quoteId(first.name)} < ?`);
    params.push(BigInt(o.range.to));
  }
  if (o.after) {
    if (o.key.length > 1) {
      conds.push(`${quoteId(first.name)} >= ?`);
      params.push(bind(first, o.after[0]!));
    }
    conds.push(`${rowValue(o.key)} > ${tuple(o.key, o.after, params)}`);
  }
  if (o.upTo) conds.push(`${rowValue(o.key)} <= ${tuple(o.key, o.upTo, params)}`);
  if (o.where) {
    conds.push(`(${o.where.sql})`);
    params.push(...o.where.params);
  }
  return { sql: conds.length > 0 ? conds.join(' AND ') : '1=1', params };
}

export function keysetQuery(o: KeysetOptions): SqlQuery {
  const cols = o.columns ? o.columns.map(quoteId).join(', ') : '*';
  const where = keysetConditions(o);
  const order = o.key.map((c) => quoteId(c.name)).join(', ');
  const limit = o.limit !== undefined ? ` LIMIT ${Math.floor(o.limit)}` : '';
  return { sql: `SELECT ${cols} FROM ${quoteId(o.table)} WHERE ${where.sql} ORDER BY ${order}${limit}`, params: where.params };
}

/** The key of a row, in key-column order. */
export function keyOf(row: Record<string, unknown>, key: readonly KeyColumn[]): KeyValue[] {
  return key.map((c) => row[c.name] as KeyValue);
}

/** Key values as JSON for a checkpoint: Buffers as { $b64 }, everything else as read. */
export type StoredKey = (string | number | { $b64: string })[];

export function storeKey(values: readonly KeyValue[]): StoredKey {
  return values.map((v) => (Buffer.isBuffer(v) ? { $b64: v.toString('base64') } : v));
}

export function loadKey(stored: StoredKey): KeyValue[] {
  return stored.map((v) => (typeof v === 'object' ? Buffer.from(v.$b64, 'base64') : v));
}

/** A key for messages and reports, written as dead letters and key names write it: `42`, `x\\:y:1`, `00ff`. */
export function showKey(values: readonly KeyValue[]): string {
  const parts = values.map(keyPartText);
  return parts.length > 1 ? encodeKeyName(parts) : parts[0]!;
}
