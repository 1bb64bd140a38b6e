import type { StoredKey } from '../keys/stored-key.js';
import type { ShardRange } from '../keys/shard.js';

/**
 * Where one worker is in one table: saved after every committed chunk. Shared by workers on several
 * machines through the target Datastore (datastore.ts); memory.ts is the same contract for tests.
 */
export interface Checkpoint {
  /** `table#i/N` */
  id: string;
  table: string;
  kind: string;
  /** `i/N` */
  shard: string;
  range: ShardRange;
  /** The key of the last row of the last chunk committed in order; null before the first. */
  lastKey: StoredKey | null;
  rowsCopied: number;
  /** Rows in this shard's range when it started (for ETA). */
  rowsTotal: number;
  deadLetters: number;
  /** Zero dates (0000-00-00…) written as null so far (absent in checkpoints of older versions). */
  zeroDates?: number;
  retries: number;
  /** The binlog position when this backfill began (null: the binlog was off): follow starts there. */
  binlog?: { file: string; position: number } | null;
  /** MySQL's clock (UTC, 'YYYY-MM-DD HH:MM:SS.ffffff') when this backfill began: sync starts there. */
  watermark: string;
  /** ISO instants. */
  startedAt: string;
  updatedAt: string;
  /** Rows per second over the last run's recent chunks. */
  rate: number;
  done: boolean;
}

/** The split of a table among N shards, fixed by the first worker so that all agree on it. */
export interface ShardPlan {
  table: string;
  count: number;
  ranges: ShardRange[];
}

/** The point from which the next `migrate sync` of a table re-copies. */
export interface SyncMark {
  table: string;
  /** MySQL UTC time when the last successful sync began. */
  watermark: string;
  at: string;
}

/**
 * Where a long-running stream is (`follow`: a binlog position; `reverse`: a Datastore watermark):
 * one record per stream name, saved after every applied batch, its body the stream's own.
 */
export interface StreamMark {
  /** 'follow', 'reverse'. */
  stream: string;
  updatedAt: string;
  [field: string]: unknown;
}

/** The result of the last `migrate verify` of a table. */
export interface VerifyMark {
  table: string;
  kind: string;
  /** ISO, when the verify finished. */
  at: string;
  clean: boolean;
  /** MySQL's row count and the target's entity count. */
  rows: number;
  entities: number;
  /** Differences by type (totals, not just the listed ones). */
  missing: number;
  extra: number;
  fieldDiffs: number;
  ms: number;
}

/** The stream name under which `migrate follow` keeps its position. */
export const FOLLOW_STREAM = 'follow';

/** What `follow` keeps in the checkpoint store after each applied batch. */
export interface FollowMark {
  stream: typeof FOLLOW_STREAM;
  file: string;
  position: number;
  /** Seconds the last applied change was behind its commit in the source (0 when caught up). */
  lagSeconds: number;
  /** Changes applied since follow first started, by operation. */
  upserts: number;
  deletes: number;
  deadLetters: number;
  /** Transactions skipped as written by `reverse` (the loop guard). */
  skipped: number;
  updatedAt: string;
  [field: string]: unknown;
}

export class CheckpointVanishedError extends Error {
  constructor(readonly id: string) {
    super(`checkpoint ${id} is no longer in the target`);
  }
}

export interface CheckpointStore {
  get(id: string): Promise<Checkpoint | undefined>;
  /** Writes a new checkpoint, replacing any. */
  put(cp: Checkpoint): Promise<void>;
  /** Replaces an existing checkpoint; throws CheckpointVanishedError when it is gone (the target
   * was wiped or another worker restarted the table) so the run does not carry on blind. */
  update(cp: Checkpoint): Promise<void>;
  list(): Promise<Checkpoint[]>;
  /** Removes every checkpoint, plan, sync mark and verify mark of a table. */
  clearTable(table: string): Promise<void>;
  /** Stores `plan` unless one with the same shard count exists; returns the one that holds. */
  claimPlan(plan: ShardPlan): Promise<ShardPlan>;
  getSyncMark(table: string): Promise<SyncMark | undefined>;
  putSyncMark(mark: SyncMark): Promise<void>;
  getVerifyMark(table: string): Promise<VerifyMark | undefined>;
  /** Replaces the table's last verify result. */
  putVerifyMark(mark: VerifyMark): Promise<void>;
  getStreamMark(stream: string): Promise<StreamMark | undefined>;
  putStreamMark(mark: StreamMark): Promise<void>;
}

export function checkpointId(table: string, shard: string): string {
  return `${table}#${shard}`;
}
