/** The Redis stream diff store against a private redis-server: kept in order, bounded, never throws. */
import { createRedisDiffStore } from '../../../diffs/store-redis.js';
import type { DiffRecord } from '../../../diffs/types.js';
import { freePort } from '../../../local-servers/free-port.js';
import { startRedis, type RedisServer } from '../../../local-servers/redis.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
}, 60_000);
afterAll(() => redis?.stop());

function record(i: number, extra: Partial<DiffRecord> = {}): DiffRecord {
  const side = { status: 200, latencyMs: 1 };
  return { id: `r${i}`, time: new Date(0).toISOString(), route: 'r', method: 'GET', path: `/r/${i}`, requestId: `q${i}`, primary: 'legacy', legacy: side, new: side, match: true, differences: [], ...extra };
}

async function all(store: ReturnType<typeof createRedisDiffStore>): Promise<DiffRecord[]> {
  const out: DiffRecord[] = [];
  for await (const r of store.records()) out.push(r);
  return out;
}

describe('Redis diff store', () => {
  it('keeps records in order across pages, masks redacted fields, and is trimmed to about maxLen', async () => {
    const store = createRedisDiffStore({ url: redis.url, key: 'd1', maxLen: 100_000, redact: ['password'] });
    for (let i = 0; i < 2500; i++) store.append(record(i, i === 0 ? { match: false, differences: [{ path: '/password', kind: 'changed', legacy: 'a', new: 'b' }] } : {}));
    await store.flush();
    expect(store.stats()).toMatchObject({ stored: 2500, dropped: 0, failed: 0, queued: 0 });
    const got = await all(store);
    expect(got.map((r) => r.id)).toEqual(Array.from({ length: 2500 }, (_, i) => `r${i}`));
    expect(JSON.stringify(got[0])).not.toMatch(/"a"|"b"/);
    await store.close();

    const small = createRedisDiffStore({ url: redis.url, key: 'd2', maxLen: 100 });
    for (let i = 0; i < 5000; i++) small.append(record(i));
    await small.flush();
    const kept = await all(small);
    // MAXLEN ~ trims whole nodes: at least maxLen stay, far fewer than were written, the newest last.
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.length).toBeLessThan(1000);
    expect(kept[kept.length - 1]!.id).toBe('r4999');
    await small.close();
  });

  it("keeps a mismatched pair's whole answers, masked like the rest of the record", async () => {
    const store = createRedisDiffStore({ url: redis.url, key: 'd4', maxLen: 100, redact: ['password'] });
    const answer = (name: string) => ({ headers: { 'content-type': 'application/json', 'set-cookie': 'sid=1' }, body: { bytes: 40, kind: 'json' as const, json: { name, password: 'hunter2' } } });
    store.append(record(1, { match: false, differences: [{ path: '/name', kind: 'changed', legacy: 'A', new: 'a' }], answers: { legacy: answer('A'), new: answer('a') } }));
    await store.flush();
    const [got] = await all(store);
    const masked = (name: string) => ({ headers: { 'content-type': 'application/json', 'set-cookie': '***' }, body: { bytes: 40, kind: 'json', json: { name, password: '***' } } });
    expect(got!.answers).toEqual({ legacy: masked('A'), new: masked('a') });
    await store.close();
  });

  it('counts records lost while Redis is unreachable and never throws', async () => {
    const errors: unknown[] = [];
    const store = createRedisDiffStore({ url: `redis://127.0.0.1:${await freePort()}`, key: 'd3', maxLen: 100, onError: (e) => errors.push(e) });
    for (let i = 0; i < 10; i++) expect(store.append(record(i))).toBe(true);
    await store.flush();
    expect(store.stats()).toMatchObject({ stored: 0, failed: 10, queued: 0 });
    expect(errors).toHaveLength(1);
    await store.close();
    expect(store.append(record(11))).toBe(false);
  });
});
