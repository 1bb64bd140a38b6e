/**
 * Chunk sizing toward a target time, as pt-table-checksum's --chunk-time does: the next chunk holds
 * as many rows as the recent rate moves in the target time, smoothed (EWMA) and clamped so one slow
 * or fast chunk cannot swing it wildly. A checkpoint follows each chunk, so the target time is also
 * the most work a crash can cost.
 */
export interface ChunkSizing {
  targetMs: number;
  min: number;
  max: number;
}

export interface ChunkSizer {
  readonly size: number;
  /** Feed the rows and the time one chunk took; returns the next size. */
  observe(rows: number, ms: number): number;
}

export function createChunkSizer(initial: number, sizing: ChunkSizing, alpha = 0.3): ChunkSizer {
  const clamp = (n: number) => Math.max(sizing.min, Math.min(sizing.max, Math.round(n)));
  let size = clamp(initial);
  let rate: number | undefined; // rows per ms
  return {
    get size() {
      return size;
    },
    observe(rows: number, ms: number) {
      if (rows <= 0 || ms <= 0) return size;
      const sample = rows / ms;
      rate = rate === undefined ? sample : alpha * sample + (1 - alpha) * rate;
      // Never more than double at once: the rate of a small chunk overstates a big one.
      size = clamp(Math.min(size * 2, rate * sizing.targetMs));
      return size;
    },
  };
}
