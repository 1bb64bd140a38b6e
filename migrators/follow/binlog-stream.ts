import ZongJi from '@vlasky/zongji';
import type { RowChange } from './change-batch.js';
import type { BinlogPosition } from '../mysql/binlog-position.js';

/** One committed transaction's row changes on the followed tables, and where the binlog is after it. */
export interface Transaction {
  changes: RowChange[];
  /** A safe resume point: the end of this transaction. */
  after: BinlogPosition;
  /** When the source committed it (the binlog's clock, ms). */
  committedAt: number;
  /** The session server_id that wrote it (MariaDB: from its GTID), when known. */
  serverId?: number;
}

export interface BinlogStreamOptions {
  /** mysql://… of the source (the stream opens its own two connections). */
  url: string;
  database: string;
  tables: readonly string[];
  from: BinlogPosition;
  /** The replica id this reader announces to the server (unique among the server's replicas). */
  replicaId: number;
  onTransaction(tx: Transaction): void;
  /** Every commit the server sent (followed tables or not): the stream's position moves on. */
  onPosition?(p: BinlogPosition, at: number): void;
  onError(err: Error): void;
}

export interface BinlogStream {
  /** Holds the stream (backpressure while Datastore catches up), and lets it go again. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

type RowsEvent = { getEventName(): string; tableId: number; tableMap: Record<number, { tableName: string; parentSchema: string }>; rows: unknown[]; timestamp: number; gtid?: string };

const ROW_OPS: Record<string, 'insert' | 'update' | 'delete'> = { writerows: 'insert', updaterows: 'update', deleterows: 'delete' };

/**
 * The source's binlog (ROW format) from a position on, through @vlasky/zongji, cut into committed
 * transactions. Rows come with the options `run` reads with (dates as strings, DECIMAL and large
 * BIGINT exact, JSON as text), so one mapping serves both. zongji's own resume point only advances
 * at transaction boundaries, so a checkpointed position never falls inside a transaction.
 */
export function openBinlogStream(o: BinlogStreamOptions): Promise<BinlogStream> {
  const url = new URL(o.url);
  const zj = new ZongJi({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    jsonStrings: true,
    timezone: 'Z',
    charset: 'utf8mb4',
  } as never);
  let changes: RowChange[] = [];
  let serverId: number | undefined;
  const position = (): BinlogPosition => ({ file: String(zj.options.filename), position: Number(zj.options.position) });
  zj.on('binlog', (event: unknown) => {
    const e = event as RowsEvent;
    const name = e.getEventName();
    const op = ROW_OPS[name];
    if (op) {
      const table = e.tableMap[e.tableId]!.tableName;
      // MariaDB GTIDs are domain-server-sequence, the server part being the writing session's server_id.
      const sid = e.gtid && /^\d+-(\d+)-\d+$/.exec(e.gtid)?.[1];
      if (sid) serverId = Number(sid);
      for (const r of e.rows) {
        if (op === 'update') {
          const { before, after } = r as { before: Record<string, unknown>; after: Record<string, unknown> };
          changes.push({ table, op, before, after });
        } else changes.push({ table, op, row: r as Record<string, unknown> });
      }
      return;
    }
    const commit = name === 'xid' || (name === 'query' && /^COMMIT$/i.test(String((e as unknown as { query?: string }).query ?? '')));
    if (commit) {
      const at = position();
      if (changes.length > 0) o.onTransaction({ changes, after: at, committedAt: e.timestamp, ...(serverId !== undefined ? { serverId } : {}) });
      changes = [];
      serverId = undefined;
    }
    // A commit or a statement outside any transaction (DDL): the stream has moved on.
    if (commit || (name === 'query' && changes.length === 0)) o.onPosition?.(position(), e.timestamp);
  });
  zj.on('error', (err: unknown) => o.onError(err as Error));
  return new Promise((resolve, reject) => {
    const fail = (err: unknown) => reject(err as Error);
    zj.once('error', fail);
    zj.once('ready', () => {
      zj.removeListener('error', fail);
      resolve({
        pause: () => zj.connection?.pause(),
        resume: () => zj.connection?.resume(),
        stop: () =>
          new Promise<void>((done) => {
            zj.once('stopped', () => done());
            zj.stop();
            setTimeout(done, 2000).unref();
          }),
      });
    });
    zj.start({
      serverId: o.replicaId,
      filename: o.from.file,
      position: o.from.position,
      includeEvents: ['tablemap', 'writerows', 'updaterows', 'deleterows', 'xid', 'query', 'rotate'],
      includeSchema: { [o.database]: [...o.tables] },
    });
  });
}
