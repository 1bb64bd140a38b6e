import { RouteStats } from '../../../../proxy/metrics.js';
import { RateSampler, bucketQuantile } from '../../../../proxy/console/rates.js';

test('bucketQuantile interpolates inside the bucket the rank falls in', () => {
  // LATENCY_BUCKETS start 1 ms, 2.5 ms, 5 ms: 10 answers ≤ 1 ms and 10 in (2.5, 5] ms.
  const counts = [10, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  expect(bucketQuantile(counts, 0.5)).toBe(1);
  expect(bucketQuantile(counts, 0.95)).toBe(4.75);
  expect(bucketQuantile(new Array(15).fill(0), 0.5)).toBeNull();
});

test('the sampler turns counter copies into per-backend rates, error rates and percentiles', () => {
  let now = 1_000_000;
  const stats = new RouteStats('r');
  const sampler = new RateSampler({ stats: () => [stats], now: () => now, intervalMs: 60_000, keepMs: 120_000 });
  try {
    expect(sampler.read()).toEqual([{ route: 'r', intervalMs: 60_000, legacy: expect.objectContaining({ spark: [] }), new: expect.objectContaining({ spark: [] }) }]);
    for (let i = 0; i < 18; i++) stats.response('legacy', 200, 0.002);
    for (let i = 0; i < 2; i++) stats.response('legacy', 502, 0.002);
    stats.response('new', 200, 0.02);
    now += 10_000;
    sampler.sample();
    const [r] = sampler.read();
    expect(r!.legacy.spark).toEqual([2]);
    expect(r!.new.spark).toEqual([0.1]);
    expect(r!.legacy.lastMinute).toMatchObject({ requests: 20, rps: 2, errorRate: 0.1 });
    expect(r!.legacy.lastMinute.p50).toBeGreaterThan(1);
    expect(r!.legacy.lastMinute.p50).toBeLessThanOrEqual(2.5);
    expect(r!.new.lastMinute).toMatchObject({ requests: 1, rps: 0.1, errorRate: 0 });
    // The sparkline keeps the history the sampler was told to keep (here 2 intervals).
    for (let i = 0; i < 4; i++) {
      stats.response('legacy', 200, 0.002);
      now += 60_000;
      sampler.sample();
    }
    expect(sampler.read()[0]!.legacy.spark).toHaveLength(2);
  } finally {
    sampler.stop();
  }
});
