import { Registry } from 'prom-client';
import { diffRules } from '../../../config/diff-schema.js';
import { createDiffSink } from '../../../diffs/sink.js';
import { createMemoryDiffStore } from '../../../diffs/store-memory.js';
import { json, pair } from './helpers.js';

async function counter(registry: Registry, name: string, route: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values.find((v) => v.labels.route === route)?.value as number | undefined) ?? 0;
}

describe('diff sink', () => {
  test('compares off the caller\'s path, stores a record per pair, counts per route', async () => {
    const registry = new Registry();
    const store = createMemoryDiffStore();
    const rules = { 'users.get': diffRules.parse({ ignore: ['/lastSeen'] }) } as Record<string, ReturnType<typeof diffRules.parse>>;
    const sink = createDiffSink({ rulesFor: (r) => rules[r], store, metrics: registry });
    sink.accept(pair('users.get', { id: 1, lastSeen: 1 }, { id: 1, lastSeen: 2 }));
    sink.accept(pair('users.get', { id: 2, n: '5' }, { id: 2, n: 5 }));
    sink.accept(pair('users.get', { id: 3 }, { id: 4 }));
    sink.accept(pair('feed', { a: [1, 2] }, { a: [2, 1] }));
    expect(store.list()).toHaveLength(0); // nothing done synchronously in accept()
    await sink.idle();
    const records = store.list();
    expect(records.map((r) => [r.route, r.match])).toEqual([['users.get', true], ['users.get', true], ['users.get', false], ['feed', false]]);
    expect(records[1]!.normalised).toEqual({ numericStrings: 1 });
    expect(records[2]).toMatchObject({ method: 'GET', primary: 'legacy', legacy: { status: 200 }, new: { status: 200 }, differences: [{ path: '/id', kind: 'changed', legacy: 3, new: 4 }] });
    expect(records[3]!.differences).toEqual([{ path: '/a', kind: 'order', legacy: [1, 2], new: [2, 1] }]);
    expect(await counter(registry, 'strangler_shadow_compared_total', 'users.get')).toBe(3);
    expect(await counter(registry, 'strangler_shadow_matched_total', 'users.get')).toBe(2);
    expect(await counter(registry, 'strangler_shadow_mismatched_total', 'users.get')).toBe(1);
    expect(await counter(registry, 'strangler_shadow_mismatched_total', 'feed')).toBe(1);
    await sink.close();
  });

  test('when the new service serves, legacy is still the left side', async () => {
    const store = createMemoryDiffStore();
    const sink = createDiffSink({ rulesFor: () => undefined, store });
    const p = pair('r', {}, {});
    sink.accept({ ...p, primary: json({ v: 'new' }, 200, 'new', 3), shadow: json({ v: 'old' }, 200, 'legacy', 9) });
    await sink.idle();
    expect(store.list()[0]).toMatchObject({ primary: 'new', legacy: { latencyMs: 9 }, new: { latencyMs: 3 }, differences: [{ path: '/v', legacy: 'old', new: 'new' }] });
  });

  test('a failed shadow is a mismatch; a capture the proxy gave up on is not compared', async () => {
    const store = createMemoryDiffStore();
    const sink = createDiffSink({ rulesFor: () => undefined, store });
    const p = pair('r', { a: 1 }, { a: 1 });
    sink.accept({ ...p, shadow: { backend: 'new', status: 0, headers: {}, body: undefined, skipped: 'timeout', error: 'STRANGLER_E_TIMEOUT', latencyMs: 5000 } });
    sink.accept({ ...p, shadow: { ...p.shadow, body: undefined, skipped: 'body-too-large' } });
    sink.accept({ ...p, shadow: { ...p.shadow, body: undefined, skipped: 'aborted' } });
    await sink.idle();
    expect(store.list()).toHaveLength(1);
    expect(store.list()[0]).toMatchObject({ match: false, new: { status: 0, error: 'STRANGLER_E_TIMEOUT' }, differences: [{ path: '@status', legacy: 200, new: 0 }, { path: '@headers/content-type', kind: 'missing' }] });
  });

  test('its queue is bounded in bytes: beyond it pairs are dropped and counted', async () => {
    const registry = new Registry();
    const store = createMemoryDiffStore();
    const big = { blob: 'x'.repeat(10_000) };
    const sink = createDiffSink({ rulesFor: () => undefined, store, metrics: registry, maxQueuedBytes: 3 * (2 * 10_020 + 512) });
    for (let i = 0; i < 10; i++) sink.accept(pair('big', big, big));
    await sink.idle();
    expect(store.list()).toHaveLength(3);
    expect(sink.stats()).toMatchObject({ compared: 3, dropped: 7 });
    const dropped = (await registry.getMetricsAsJSON()).find((m) => m.name === 'strangler_diffs_dropped_total')!;
    expect(dropped.values).toEqual([{ labels: { route: 'big', reason: 'queue-full' }, value: 7 }]);
  });

  test('never throws: a failing comparison is counted and reported, the next pair goes on', async () => {
    const errors: unknown[] = [];
    const store = createMemoryDiffStore();
    const sink = createDiffSink({
      rulesFor: (r) => {
        if (r === 'bad') throw new Error('boom');
        return undefined;
      },
      store,
      onError: (e) => errors.push(e),
    });
    expect(() => sink.accept(pair('bad', {}, {}))).not.toThrow();
    sink.accept(pair('good', {}, {}));
    await sink.idle();
    expect(errors).toHaveLength(1);
    expect(sink.stats()).toMatchObject({ failed: 1, compared: 1 });
    expect(store.list().map((r) => r.route)).toEqual(['good']);
  });

  test('close() compares what was accepted, closes the store and takes nothing more', async () => {
    const store = createMemoryDiffStore();
    let closed = false;
    const sink = createDiffSink({ rulesFor: () => undefined, store: { ...store, close: async () => void (closed = true) } });
    for (let i = 0; i < 5; i++) sink.accept(pair('r', { i }, { i }));
    await sink.close();
    expect(store.list()).toHaveLength(5);
    expect(closed).toBe(true);
    sink.accept(pair('r', {}, {}));
    await sink.idle();
    expect(store.list()).toHaveLength(5);
  });
});

test('a second sink on the same registry reuses its counters', async () => {
  const registry = new Registry();
  const first = createDiffSink({ rulesFor: () => undefined, store: createMemoryDiffStore(), metrics: registry });
  first.accept(pair('r', {}, {}));
  await first.close();
  const second = createDiffSink({ rulesFor: () => undefined, store: createMemoryDiffStore(), metrics: registry });
  second.accept(pair('r', {}, {}));
  await second.close();
  expect(await counter(registry, 'strangler_shadow_compared_total', 'r')).toBe(2);
});
