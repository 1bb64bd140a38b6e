import { splitIntoCommits, MAX_COMMIT_BYTES } from '../../../migrators/copy/batcher.js';
import { createHeapPacer } from '../../../migrators/copy/heap-pacer.js';
import { createChunkSizer } from '../../../migrators/copy/chunk-size.js';
import { createInOrderTracker } from '../../../migrators/copy/in-order.js';
import { createRateLimiter } from '../../../migrators/copy/rate-limiter.js';
import { backoffDelay, withRetry } from '../../../migrators/retry/retry.js';
import { parseShard, splitIntegerRange } from '../../../migrators/keys/shard.js';
import { isTransientDatastoreError, isTransientMysqlError } from '../../../migrators/retry/transient.js';

describe('splitIntoCommits', () => {
  test('caps each commit at the count', () => {
    const items = Array.from({ length: 1201 }, () => ({ approxBytes: 100 }));
    expect(splitIntoCommits(items, 500).map((b) => b.length)).toEqual([500, 500, 201]);
  });
  test('caps each commit at the bytes, and a lone oversized item still gets a commit of its own', () => {
    const mb = 1024 * 1024;
    const items = [4, 4, 2, 9.5, 1].map((m) => ({ approxBytes: m * mb }));
    const batches = splitIntoCommits(items, 500, MAX_COMMIT_BYTES);
    expect(batches.map((b) => b.map((i) => i.approxBytes / mb))).toEqual([[4, 4], [2], [9.5], [1]]);
    for (const b of batches) if (b.length > 1) expect(b.reduce((n, i) => n + i.approxBytes, 0)).toBeLessThanOrEqual(MAX_COMMIT_BYTES);
  });
  test('nothing in, nothing out', () => expect(splitIntoCommits([])).toEqual([]));
});

describe('chunk sizer', () => {
  test('moves toward rate × target time, at most doubling, within bounds', () => {
    const s = createChunkSizer(1000, { targetMs: 1000, min: 100, max: 20_000 }, 1);
    expect(s.observe(1000, 100)).toBe(2000); // 10 rows/ms → wants 10,000, capped at double
    expect(s.observe(2000, 200)).toBe(4000);
    expect(s.observe(4000, 4000)).toBe(1000); // 1 row/ms → 1000
    expect(s.observe(1000, 100_000)).toBe(100); // clamped to min
  });
});

describe('in-order tracker', () => {
  test('releases chunks only as a contiguous completed prefix', () => {
    const t = createInOrderTracker<string>();
    const a = t.add('a');
    const b = t.add('b');
    const c = t.add('c');
    expect(t.complete(b)).toEqual([]);
    expect(t.complete(c)).toEqual([]);
    expect(t.complete(a)).toEqual(['a', 'b', 'c']);
    expect(t.pending).toBe(0);
  });
});

describe('rate limiter', () => {
  test('sleeps for the deficit once the one-second bucket is spent', async () => {
    let now = 0;
    const slept: number[] = [];
    const limiter = createRateLimiter(100, () => now, async (ms) => void slept.push(ms));
    await limiter.acquire(100); // the initial bucket
    expect(slept).toEqual([]);
    await limiter.acquire(50);
    expect(slept).toEqual([500]);
    now = 10_000; // refilled (and capped at one second)
    await limiter.acquire(100);
    expect(slept).toEqual([500]);
  });
});

describe('retry', () => {
  test('full jitter grows exponentially up to the cap', () => {
    const policy = { baseMs: 100, capMs: 1000, budgetMs: 10_000 };
    expect(backoffDelay(0, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(799);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
  });
  test('retries transient errors until success, and rethrows others at once', async () => {
    let calls = 0;
    const transient = Object.assign(new Error('unavailable'), { code: 14 });
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw transient;
        return 'ok';
      },
      { isTransient: isTransientDatastoreError, sleep: async () => undefined },
    );
    expect([result, calls]).toEqual(['ok', 3]);
    const invalid = Object.assign(new Error('bad'), { code: 3 });
    await expect(withRetry(async () => Promise.reject(invalid), { isTransient: isTransientDatastoreError, sleep: async () => undefined })).rejects.toBe(invalid);
  });
  test('gives up when the time budget is spent', async () => {
    let now = 0;
    let calls = 0;
    const err = Object.assign(new Error('down'), { code: 'ECONNREFUSED' });
    await expect(
      withRetry(
        async () => {
          calls++;
          throw err;
        },
        { isTransient: isTransientDatastoreError, now: () => now, sleep: async (ms) => void (now += ms), random: () => 1 },
        { baseMs: 100, capMs: 1000, budgetMs: 5000 },
      ),
    ).rejects.toBe(err);
    expect(calls).toBeGreaterThan(3);
    expect(now).toBeLessThanOrEqual(5000);
  });
  test('classifies gRPC and connection codes', () => {
    for (const code of [4, 8, 10, 14]) expect(isTransientDatastoreError({ code })).toBe(true);
    for (const code of [3, 5, 7, 9]) expect(isTransientDatastoreError({ code })).toBe(false);
    expect(isTransientMysqlError({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true })).toBe(true);
    expect(isTransientMysqlError({ code: 'ER_ACCESS_DENIED_ERROR', fatal: true })).toBe(false);
    expect(isTransientMysqlError({ code: 'ER_PARSE_ERROR' })).toBe(false);
  });
});

describe('shards', () => {
  test('parses i/N and refuses anything else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['4/4', '1/0', 'x', '1/', '-1/2', '1.5/3']) expect(() => parseShard(bad)).toThrow(/--shard expects i\/N/);
  });
  test('splits an integer range into contiguous ranges, unbounded at both ends', () => {
    expect(splitIntegerRange('1', '100', 4)).toEqual([
      { from: null, to: '26' },
      { from: '26', to: '51' },
      { from: '51', to: '76' },
      { from: '76', to: null },
    ]);
  });
  test('is exact at the top of BIGINT UNSIGNED', () => {
    const r = splitIntegerRange('18446744073709551610', '18446744073709551615', 2);
    expect(r).toEqual([
      { from: null, to: '18446744073709551613' },
      { from: '18446744073709551613', to: null },
    ]);
  });
  test('a single shard is the whole range', () => expect(splitIntegerRange('5', '9', 1)).toEqual([{ from: null, to: null }]));
});

describe('heap pacer', () => {
  test('collects over the limit, then waits for the headroom before collecting again (no thrashing)', () => {
    const pacer = createHeapPacer(1, 64 * 1024 * 1024);
    expect(pacer.check()).toBe(true);
    expect(pacer.check()).toBe(false);
    expect(pacer.collections).toBe(1);
    expect(createHeapPacer(Number.MAX_SAFE_INTEGER).check()).toBe(false);
  });
});
