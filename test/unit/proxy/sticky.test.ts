import { BUCKETS, bucketOf, onNew, randomBucket } from '../../../proxy/sticky.js';

describe('sticky bucketing', () => {
  it('puts the same key in the same bucket every time', () => {
    const b = bucketOf('profile.get', 'user-42');
    for (let i = 0; i < 10_000; i++) expect(bucketOf('profile.get', 'user-42')).toBe(b);
  });

  it('spreads 10,000 keys within ±1% of the dial', () => {
    for (const pct of [1, 10, 25, 50, 99]) {
      let on = 0;
      for (let i = 0; i < 10_000; i++) if (onNew(pct, bucketOf('checkout.post', `user-${i}`))) on++;
      expect(Math.abs(on / 100 - pct)).toBeLessThanOrEqual(1);
    }
  });

  it('never moves a user from new back to legacy when the dial rises', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `u${i}@example.com`);
    const at10 = keys.filter((k) => onNew(10, bucketOf('profile.get', k)));
    const at30 = new Set(keys.filter((k) => onNew(30, bucketOf('profile.get', k))));
    expect(at10.length).toBeGreaterThan(0);
    for (const k of at10) expect(at30.has(k)).toBe(true);
  });

  it('buckets routes independently', () => {
    let same = 0;
    for (let i = 0; i < 1000; i++) if (bucketOf('a', `k${i}`) === bucketOf('b', `k${i}`)) same++;
    expect(same).toBeLessThan(10);
  });

  it('honours 0.01% steps and the ends of the dial', () => {
    expect(onNew(0, 0)).toBe(false);
    expect(onNew(0.01, 0)).toBe(true);
    expect(onNew(0.01, 1)).toBe(false);
    expect(onNew(100, BUCKETS - 1)).toBe(true);
    const r = randomBucket();
    expect(r).toBeGreaterThanOrEqual(0);
    expect(r).toBeLessThan(BUCKETS);
  });
});
