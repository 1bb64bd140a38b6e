import type { DiffStore, DiffStoreStats } from './store-contract.js';
import { toStoredLine } from './stored-line.js';
import type { DiffRecord } from './types.js';

export interface MemoryDiffStoreOptions {
  redact?: readonly string[];
  /** Records kept at most; later ones are dropped and counted. */
  maxRecords?: number;
}

/** A diff store in memory: records in the exact form the file store writes them. */
export function createMemoryDiffStore(options: MemoryDiffStoreOptions = {}): DiffStore & { list(): DiffRecord[] } {
  const redact = options.redact ?? [];
  const max = options.maxRecords ?? 10_000;
  const kept: DiffRecord[] = [];
  const stats: DiffStoreStats = { stored: 0, dropped: 0, failed: 0, queued: 0 };
  return {
    append(record) {
      if (kept.length >= max) {
        stats.dropped++;
        return false;
      }
      kept.push(JSON.parse(toStoredLine(record, redact)) as DiffRecord);
      stats.stored++;
      return true;
    },
    flush: async () => undefined,
    close: async () => undefined,
    async *records() {
      yield* kept;
    },
    stats: () => ({ ...stats }),
    list: () => [...kept],
  };
}
