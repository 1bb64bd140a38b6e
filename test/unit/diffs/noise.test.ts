import { compareAnswers } from '../../../diffs/engine.js';
import { NoiseBook } from '../../../diffs/noise-book.js';
import { createDiffSink } from '../../../diffs/sink.js';
import { createMemoryDiffStore } from '../../../diffs/store-memory.js';
import type { Difference } from '../../../diffs/types.js';
import { json, pair, rules } from './helpers.js';

describe('noise book', () => {
  test('a field that differs between two legacy answers is noise for that route only', () => {
    const book = new NoiseBook();
    const learned = book.learn('feed', compareAnswers(json({ items: [{ ts: 1 }], n: 1 }), json({ items: [{ ts: 2 }], n: 1 }), rules()).differences);
    expect(learned).toEqual(['/items/*/ts']);
    const diffs = compareAnswers(json({ items: [{ ts: 1 }, { ts: 5 }], n: 1 }), json({ items: [{ ts: 9 }, { ts: 7 }], n: 2 }), rules()).differences;
    expect(book.classify('feed', diffs)).toBe(1);
    expect(diffs.filter((d) => !d.noise).map((d) => d.path)).toEqual(['/n']);
    expect(diffs.filter((d) => d.noise).map((d) => d.path).sort()).toEqual(['/items/0/ts', '/items/1/ts']);
    const other = compareAnswers(json({ items: [{ ts: 1 }] }), json({ items: [{ ts: 2 }] }), rules()).differences;
    expect(book.classify('profile', other)).toBe(1);
  });

  test('status noise is learned too, and a noisy subtree covers what is under it', () => {
    const book = new NoiseBook();
    book.learn('r', [{ path: '@status', kind: 'changed', legacy: 200, new: 503 }, { path: '/ad', kind: 'changed' }]);
    const d: Difference[] = [{ path: '@status', kind: 'changed' }, { path: '/ad/title', kind: 'changed' }, { path: '/title', kind: 'changed' }];
    expect(book.classify('r', d)).toBe(1);
    expect(d.map((x) => Boolean(x.noise))).toEqual([true, true, false]);
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
    expect(before!.differences).toEqual([expect.objectContaining({ path: '/csrf', kind: 'changed' })]);
    expect(sample!.noiseLearned).toEqual(['/csrf']);
    expect(sample!.match).toBe(true);
    expect(sample!.differences).toEqual([expect.objectContaining({ path: '/csrf', noise: true })]);
    expect(after!.match).toBe(true);
    expect(real!.match).toBe(false);
    expect(real!.differences).toEqual([
      { path: '/name', kind: 'changed', legacy: 'user 4', new: 'User 4' },
      expect.objectContaining({ path: '/csrf', noise: true }),
    ]);
    expect(sink.noise.fields('profile')).toEqual(['/csrf']);
    expect(sink.noise.fields('other')).toEqual([]);
  });
});
