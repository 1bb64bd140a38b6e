import { compareAnswers } from '../../../diffs/engine.js';
import { clearlyAbove, NoiseRates } from '../../../diffs/noise-rates.js';
import { createDiffSink } from '../../../diffs/sink.js';
import { createMemoryDiffStore } from '../../../diffs/store-memory.js';
import { json, pair, raw, rules } from './helpers.js';

describe('noise as a rate', () => {
  test('a two-proportion test: clearly above, or not', () => {
    expect(clearlyAbove(30, 30, 0, 10)).toBe(true); // always differs vs never differed
    expect(clearlyAbove(20, 20, 10, 10)).toBe(false); // the same rate
    expect(clearlyAbove(15, 20, 7, 10)).toBe(false); // about the same
    expect(clearlyAbove(40, 40, 2, 20)).toBe(true); // a rare noise is no licence for a field that always differs
    expect(clearlyAbove(1, 2, 1, 1)).toBe(false); // lower
  });

  test('a field is noise only on the templates whose legacy answers differed on it, and only at that rate', () => {
    const rates = new NoiseRates();
    // /post/:n: the avatar differs between two legacy answers in 3 of 4 samples.
    for (let i = 0; i < 4; i++) rates.add('site', { template: '/post/:n', fields: i < 3 ? ['img@src'] : [], learned: i < 3 ? ['img@src'] : [] });
    for (let i = 0; i < 10; i++) rates.add('site', { template: '/post/:n', fields: i % 4 ? ['img@src'] : [] });
    expect(rates.isNoise('site', '/post/:n', 'img@src')).toBe(true);
    // The same field on another page never differed between legacy answers: real there.
    for (let i = 0; i < 4; i++) rates.add('site', { template: '/about', fields: [], learned: [] });
    rates.add('site', { template: '/about', fields: ['img@src'] });
    expect(rates.isNoise('site', '/about', 'img@src')).toBe(false);
    // A field that differs legacy-vs-new far more often than legacy-vs-legacy is real.
    for (let i = 0; i < 20; i++) rates.add('site', { template: '/list', fields: ['h1/#text'], learned: i === 0 ? ['h1/#text'] : [] });
    for (let i = 0; i < 40; i++) rates.add('site', { template: '/list', fields: ['h1/#text'] });
    expect(rates.isNoise('site', '/list', 'h1/#text')).toBe(false);
  });

  test('a body that is not structured is never noise, however often it differs', () => {
    const rates = new NoiseRates();
    for (let i = 0; i < 5; i++) rates.add('r', { template: '/t', fields: ['@body'], learned: ['@body'] });
    expect(rates.isNoise('r', '/t', '@body')).toBe(false);
    expect(rates.isNoise('r', '/t', '')).toBe(false);
  });

  test('a noisy JSON subtree covers the fields under it', () => {
    const rates = new NoiseRates();
    for (let i = 0; i < 3; i++) rates.add('r', { template: '/t', fields: ['/ad/title'], learned: ['/ad'] });
    expect(rates.isNoise('r', '/t', '/ad/title')).toBe(true);
    expect(rates.isNoise('r', '/t', '/title')).toBe(false);
  });
});

describe('noise through the sink', () => {
  test('a random legacy field is noise after the sample, a real difference on another field is still reported', async () => {
    const store = createMemoryDiffStore();
    const sink = createDiffSink({ rulesFor: () => undefined, store });
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647).toString(36); // a token that changes on every call
    const legacy = (i: number) => ({ id: i, name: `user ${i}`, csrf: random() });
    // Before any sample, the token's difference counts as a mismatch.
    sink.accept(pair('profile', legacy(1), { id: 1, name: 'user 1', csrf: random() }));
    // The sample: legacy asked twice; only the token differs.
    sink.accept(pair('profile', legacy(2), { id: 2, name: 'user 2', csrf: random() }, legacy(2)));
    // After it: the token is noise; a real difference on "name" is still a mismatch.
    sink.accept(pair('profile', legacy(3), { id: 3, name: 'user 3', csrf: random() }));
    sink.accept(pair('profile', legacy(4), { id: 4, name: 'User 4', csrf: random() }));
    await sink.idle();
    const [before, sample, after, real] = store.list();
    expect(before!.match).toBe(false);
    expect(before!.noiseSampled).toBeUndefined();
    expect(before!.differences).toEqual([expect.objectContaining({ path: '/csrf', kind: 'changed' })]);
    expect(sample).toMatchObject({ noiseSampled: true, noiseLearned: ['/csrf'], match: true });
    expect(sample!.differences).toEqual([expect.objectContaining({ path: '/csrf', noise: true })]);
    expect(after!.match).toBe(true);
    expect(real!.match).toBe(false);
    expect(real!.differences).toEqual([
      { path: '/name', kind: 'changed', legacy: 'user 4', new: 'User 4' },
      expect.objectContaining({ path: '/csrf', noise: true }),
    ]);
    expect(sink.noise.isNoise('profile', before!.template!, '/csrf')).toBe(true);
    expect(sink.noise.isNoise('other', before!.template!, '/csrf')).toBe(false);
  });

  test('a noisy page does not make the same field noise on another page of the route', async () => {
    const store = createMemoryDiffStore();
    const sink = createDiffSink({ rulesFor: () => undefined, store });
    const page = (title: string, host: string) => raw(`<html><body><h1>${title}</h1><img class="avatar" src="https://${host}/a.png"></body></html>`, 'text/html');
    const html = (path: string, l: ReturnType<typeof raw>, n: ReturnType<typeof raw>, again?: ReturnType<typeof raw>) => ({ ...pair('site', {}, {}), path, primary: l, shadow: { ...n, backend: 'new' as const }, ...(again ? { legacyAgain: again } : {}) });
    sink.accept(html('/feed', page('Blog', 'a1'), page('Blog', 'a2'), page('Blog', 'a3')));
    sink.accept(html('/feed', page('Blog', 'a1'), page('Blog', 'a2')));
    sink.accept(html('/about', page('Blog', 'a1'), page('Blog', 'a2'), page('Blog', 'a1')));
    sink.accept(html('/about', page('Legacy Blog', 'a1'), page('Broken Blog', 'a2')));
    await sink.idle();
    const [, feed, , about] = store.list();
    expect(feed!.match).toBe(true);
    expect(about!.match).toBe(false);
    expect(about!.differences.filter((d) => !d.noise).map((d) => d.path)).toEqual(['html>body>h1/#text', 'html>body>img.avatar@src']);
    expect(compareAnswers(page('x', 'a'), page('x', 'a'), rules()).differences).toEqual([]);
  });
});
