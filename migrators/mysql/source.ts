import type mysql from 'mysql2/promise';
import { withRetry, type RetryPolicy, DEFAULT_RETRY } from '../retry/retry.js';
import { isTransientMysqlError } from '../retry/transient.js';
import type { ShardRange } from '../keys/shard.js';
import { binlogFacts, binlogPosition } from './binlog.js';
import type { BinlogPosition } from './binlog-position.js';
import type { BinlogFacts } from './binlog-readiness.js';
import { createMysqlPool, mysqlError, type MysqlReader } from './connect.js';
import type { KeyColumn, KeyValue } from '../keys/key.js';
import { keysetConditions, keysetQuery, quoteId, type KeysetOptions, type SqlQuery } from './keyset.js';

export type Row = Record<string, unknown>;

/**
 * The MySQL side of copy, verify and sync: keyset reads, counts and key look-ups over one pool.
 * A lost connection or a restarted server is retried with backoff (the pool opens a new
 * connection); anything else is turned into a catalogued error once, here.
 */
export interface MysqlSource {
  readonly url: string;
  /** Plain queries (not retried) for introspection: plan/load-mappings.ts. */
  readonly reader: MysqlReader;
  /** The binlog position now (SHOW MASTER STATUS), or null when it is off or not visible to this user. */
  binlogPosition(): Promise<BinlogPosition | null>;
  /** What decides whether `migrate follow` can read this server's binlog. */
  binlogFacts(): Promise<BinlogFacts>;
  /** Checks that the server answers and the credentials work; throws a catalogued error. */
  ping(): Promise<void>;
  readChunk(o: KeysetOptions): Promise<Row[]>;
  count(table: string, key: readonly KeyColumn[], range?: ShardRange, where?: SqlQuery): Promise<number>;
  minMax(table: string, column: string): Promise<{ min: string | null; max: string | null }>;
  /** MySQL's clock in UTC, 'YYYY-MM-DD HH:MM:SS.ffffff': the sync watermark. */
  utcNow(): Promise<string>;
  /** The rows (all columns) of those of these keys that exist. */
  existing(table: string, key: readonly KeyColumn[], keys: readonly (readonly KeyValue[])[]): Promise<Row[]>;
  query<T = Row>(q: SqlQuery): Promise<T[]>;
  close(): Promise<void>;
}

export interface SourceOptions {
  connectionLimit?: number;
  retry?: RetryPolicy;
  onRetry?: (err: unknown, attempt: number) => void;
}

export function createMysqlSource(url: string, options: SourceOptions = {}): MysqlSource {
  // TIMESTAMP values are read as UTC, as the mapping expects (session.ts); set on every connection.
  const pool: mysql.Pool = createMysqlPool(url, { connectionLimit: options.connectionLimit ?? 4, utcSession: true });
  const reader: MysqlReader = { query: (sql, values) => pool.query(sql, values) };
  // An idle pooled connection that the server dropped surfaces as an 'error' event; never crash on it.
  pool.on('connection', (c) => c.on('error', () => undefined));
  const policy = options.retry ?? DEFAULT_RETRY;

  async function query<T>(q: SqlQuery): Promise<T[]> {
    try {
      return await withRetry(
        async () => (await pool.query(q.sql, q.params))[0] as T[],
        { isTransient: isTransientMysqlError, onRetry: (err, attempt) => options.onRetry?.(err, attempt) },
        policy,
      );
    } catch (err) {
      if (isTransientMysqlError(err) || (err as { code?: string }).code?.startsWith('ER_ACCESS') || (err as { code?: string }).code === 'ER_BAD_DB_ERROR') throw mysqlError(url, err);
      throw err;
    }
  }

  return {
    url,
    reader,
    binlogPosition: () => binlogPosition(reader),
    binlogFacts: () => binlogFacts(reader),
    async ping() {
      try {
        await pool.query('SELECT 1');
      } catch (err) {
        throw mysqlError(url, err);
      }
    },
    readChunk: (o) => query<Row>(keysetQuery(o)),
    async count(table, key, range, where) {
      const cond = keysetConditions({ key, after: null, range, where });
      const [r] = await query<{ n: string | number }>({ sql: `SELECT COUNT(*) AS n FROM ${quoteId(table)} WHERE ${cond.sql}`, params: cond.params });
      return Number(r!.n);
    },
    async minMax(table, column) {
      const [r] = await query<{ lo: unknown; hi: unknown }>({ sql: `SELECT MIN(${quoteId(column)}) AS lo, MAX(${quoteId(column)}) AS hi FROM ${quoteId(table)}`, params: [] });
      return { min: r!.lo == null ? null : String(r!.lo), max: r!.hi == null ? null : String(r!.hi) };
    },
    async utcNow() {
      const [r] = await query<{ now: string }>({ sql: 'SELECT UTC_TIMESTAMP(6) AS now', params: [] });
      return r!.now;
    },
    async existing(table, key, keys) {
      if (keys.length === 0) return [];
      const params: unknown[] = [];
      const cols = key.map((c) => quoteId(c.name)).join(', ');
      const lhs = key.length === 1 ? cols : `(${cols})`;
      const items = keys.map((k) => {
        k.forEach((v, i) => params.push(key[i]!.integer && (typeof v === 'string' || typeof v === 'number') ? BigInt(v) : v));
        return key.length === 1 ? '?' : `(${key.map(() => '?').join(', ')})`;
      });
      return query<Row>({ sql: `SELECT * FROM ${quoteId(table)} WHERE ${lhs} IN (${items.join(', ')})`, params });
    },
    query,
    close: () => pool.end(),
  };
}
