/**
 * A token bucket in rows: `--max-rate` rows per second on average, with at most one second of
 * burst. acquire(n) waits until n rows may go; n larger than the bucket is allowed (it borrows).
 */
export interface RateLimiter {
  acquire(rows: number): Promise<void>;
}

export const UNLIMITED: RateLimiter = { acquire: async () => undefined };

export function createRateLimiter(rowsPerSecond: number | undefined, now: () => number = () => performance.now(), sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): RateLimiter {
  if (!rowsPerSecond) return UNLIMITED;
  const capacity = rowsPerSecond;
  let tokens = capacity;
  let last = now();
  // Waiters are served in order so that a large request is not starved by small ones.
  let queue: Promise<void> = Promise.resolve();
  return {
    acquire(rows: number) {
      const turn = queue.then(async () => {
        const t = now();
        tokens = Math.min(capacity, tokens + ((t - last) / 1000) * rowsPerSecond);
        last = t;
        tokens -= rows;
        if (tokens < 0) await sleep((-tokens / rowsPerSecond) * 1000);
      });
      queue = turn;
      return turn;
    },
  };
}
