/**
 * Splits a chunk's entities into Datastore commits: at most 500 mutations and at most ~9 MB per
 * commit (the API refuses 10 MiB requests; the margin covers encoding overhead the estimate misses).
 */
export const MAX_MUTATIONS = 500;
export const MAX_COMMIT_BYTES = 9 * 1024 * 1024;

export interface Sized {
  approxBytes: number;
}

export function splitIntoCommits<T extends Sized>(items: readonly T[], maxCount = MAX_MUTATIONS, maxBytes = MAX_COMMIT_BYTES): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= maxCount || bytes + item.approxBytes > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.approxBytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
