/**
 * Where diff records go. Two real implementations: a rotated JSONL file (store-file.ts) and memory
 * (store-memory.ts, for unit tests and `diffs.store: memory`). Both mask configured fields before
 * keeping anything and both are bounded: beyond their bound a record is dropped and counted.
 */
import type { DiffRecord } from './types.js';

export interface DiffStoreStats {
  /** Records kept (written to disk, or held in memory). */
  stored: number;
  /** Records refused because the bound was reached. */
  dropped: number;
  /** Records lost to a write error (disk full, permissions). */
  failed: number;
  /** Records waiting to be written. */
  queued: number;
}

export interface DiffStore {
  /** Takes a record without waiting; false when it was dropped (bound reached). Never throws. */
  append(record: DiffRecord): boolean;
  /** Resolves when everything appended so far is stored. */
  flush(): Promise<void>;
  /** Flushes, then releases the file. */
  close(): Promise<void>;
  /** Every stored record, oldest first. */
  records(): AsyncIterable<DiffRecord>;
  stats(): DiffStoreStats;
}
