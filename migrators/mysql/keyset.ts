/**
 * Keyset pagination on the primary key, never OFFSET: each chunk starts strictly after the last key
 * of the previous one, so a chunk costs the same at row 10 as at row 10 million and a resume needs
 * only the last key. Composite keys use row-value comparison, (a, b) > (?, ?), with a redundant
 * `a >= ?` in front: it has the same meaning, and lets every MySQL/MariaDB version use the index
 * range on the first column even where the row constructor is not range-optimised.
 */
import type { ShardRange } from '../keys/shard.js';
import type { KeyColumn, KeyValue } from '../keys/key.js';

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

/** `name` quoted as a MySQL identifier (the one quoting function of migrators/mysql). */
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
