/** The statistics of a report: pure arithmetic. */

const Z95 = 1.959963984540054;

/**
 * Upper bound of the Wilson score interval (95%) for a proportion of `failures` in `n` trials: with
 * few samples, "0 mismatches" does not mean a 0% rate (0 of 100 → 3.7%). n = 0 → 1 (nothing known).
 */
export function wilsonUpper(failures: number, n: number, z = Z95): number {
  if (n <= 0) return 1;
  const p = failures / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.min(1, (centre + margin) / (1 + z2 / n));
}

/** Nearest-rank percentile (q in 0..100) of unsorted values; undefined for none. */
export function percentile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** Upper bounds (ms) of the latency histogram's buckets; the last bucket is everything above. */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;

/** How many values fall in each bucket (≤ bound), plus one bucket for the values above the last bound. */
export function histogram(values: readonly number[], bounds: readonly number[] = LATENCY_BOUNDS_MS): number[] {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const v of values) {
    let i = 0;
    while (i < bounds.length && v > bounds[i]!) i++;
    counts[i]!++;
  }
  return counts;
}
