import { StranglerError } from '../../core/errors.js';

/** `--shard i/N`: this worker is number i (0-based) of N that copy one table together. */
export interface Shard {
  index: number;
  count: number;
}

export const WHOLE: Shard = { index: 0, count: 1 };

export function shardLabel(s: Shard): string {
  return `${s.index}/${s.count}`;
}

export function parseShard(text: string): Shard {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) {
    throw new StranglerError('STRANGLER_E_USAGE', `--shard expects i/N with 0 ≤ i < N (e.g. 0/4), got "${text}"`, {
      hint: 'number the workers 0/N … (N-1)/N; a Kubernetes Indexed Job passes $JOB_COMPLETION_INDEX as i',
    });
  }
  return { index, count };
}

/**
 * A half-open range on the first key column, as exact decimal strings: [from, to). `null` means
 * unbounded, which the first and last shard are, so rows inserted below MIN or above MAX after the
 * split still belong to exactly one shard.
 */
export interface ShardRange {
  from: string | null;
  to: string | null;
}

/**
 * Splits the integer range [min, max] into `count` contiguous ranges of near-equal width. BigInt
 * arithmetic: keys may be BIGINT UNSIGNED up to 2^64-1.
 */
export function splitIntegerRange(min: string, max: string, count: number): ShardRange[] {
  const lo = BigInt(min);
  const hi = BigInt(max);
  const span = hi - lo + 1n;
  const bounds: (string | null)[] = [null];
  for (let i = 1; i < count; i++) bounds.push((lo + (span * BigInt(i)) / BigInt(count)).toString());
  bounds.push(null);
  return Array.from({ length: count }, (_, i) => ({ from: bounds[i]!, to: bounds[i + 1]! }));
}

export function wholeRange(): ShardRange {
  return { from: null, to: null };
}
