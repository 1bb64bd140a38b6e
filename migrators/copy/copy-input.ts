/** What copyTable takes and returns; the chunk pipeline reads the same input (a file of its own, so neither imports the other). */
import type { Key } from '@google-cloud/datastore';
import type { CheckpointStore } from '../checkpoint/contract.js';
import type { DatastoreSink } from '../datastore/sink.js';
import type { KeyColumn } from '../keys/key.js';
import type { Shard, ShardRange } from '../keys/shard.js';
import type { MapResult } from '../mapping/types.js';
import type { MysqlSource, Row } from '../mysql/source.js';
import type { DeadLetterSink } from './dead-letters.js';
import type { RateLimiter } from './rate-limiter.js';

/** The write ramp's state, when one paces the run (ramp.ts): shown in the progress line. */
export interface RampProgress {
  step: number;
  rate: number;
  nextRate: number;
  nextInSeconds: number;
}

export interface CopyEvents {
  start?(e: { table: string; shard: string; total: number; resumedAt: number | null; watermark: string; ramp?: RampProgress }): void;
  progress?(e: { table: string; shard: string; copied: number; total: number; rate: number; lastKey: string; ramp?: RampProgress }): void;
  notice?(e: { table: string; shard: string; message: string }): void;
}

export interface CopyTableInput {
  table: string;
  kind: string;
  key: readonly KeyColumn[];
  shard: Shard;
  range: ShardRange;
  map: (row: Row) => MapResult;
  toKey: (path: Extract<MapResult, { ok: true }>['key']) => Key;
  source: MysqlSource;
  sink: DatastoreSink;
  store: CheckpointStore;
  deadLetters: DeadLetterSink;
  limiter: RateLimiter;
  /** Rows per Datastore commit (≤ 500; the byte cap may make commits smaller). */
  batchSize: number;
  /** Commits in flight at once. */
  concurrency: number;
  /** Reads and maps but writes nothing to Datastore. */
  dryRun: boolean;
  /** Ignore this shard's checkpoint and start over. */
  restart?: boolean;
  chunkTargetMs?: number;
  /** The source's binlog position now (null when the binlog is off): recorded when the backfill
   * begins, so that `migrate follow` starts there and loses nothing written during the copy. */
  binlogPosition?: () => Promise<{ file: string; position: number } | null>;
  /** Counted into the checkpoint; the adapters' retry hooks bump it. */
  retries: { count: number };
  events?: CopyEvents;
  now?: () => Date;
}

export interface CopyTableResult {
  table: string;
  kind: string;
  shard: string;
  /** Rows written by this run. */
  copied: number;
  /** Rows written so far by all runs of this shard. */
  totalCopied: number;
  rowsTotal: number;
  deadLetters: number;
  /** Zero dates (0000-00-00…) this run wrote as null. */
  zeroDates: number;
  retries: number;
  ms: number;
  /** The shard was finished by an earlier run: nothing to do. */
  alreadyDone: boolean;
  lastKey: string | null;
}
