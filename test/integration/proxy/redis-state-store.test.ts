/** The Redis state store against a private redis-server: the port's contract, sharing, leases, fail static. */
import { Redis } from 'ioredis';
import { freePort } from '../../../local-servers/free-port.js';
import { startRedis, type RedisServer } from '../../../local-servers/redis.js';
import type { StateHealth, StateSnapshot } from '../../../proxy/state/contract.js';
import { RedisStateStore } from '../../../proxy/state/redis-store.js';

const defaults = { new: 0, shadow: 0, fallback: true };
let redis: RedisServer;
let n = 0;
const open: RedisStateStore[] = [];

/** A store on a key of its own (each test starts from an empty state) unless given one. */
function store(key = `t${++n}`, extra: Partial<ConstructorParameters<typeof RedisStateStore>[0]> = {}): RedisStateStore {
  const s = new RedisStateStore({ url: redis.url, key, ...extra });
  open.push(s);
  return s;
}

function next<T>(subscribe: (l: (v: T) => void) => unknown, where: (v: T) => boolean): Promise<T> {
  return new Promise((resolve) => subscribe((v) => where(v) && resolve(v)));
}

beforeAll(async () => {
  redis = await startRedis();
}, 60_000);

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await redis?.stop();
});

describe('Redis state store', () => {
  it('versions, audits and rolls back like the other stores', async () => {
    const s = store();
    expect(await s.load()).toEqual({ version: 0, dials: {} });
    await s.update('a', defaults, { new: 10 }, 'alice');
    await s.update('b', defaults, { new: 50 }, 'alice');
    const c3 = await s.update('a', defaults, { new: 30, shadow: 5 }, 'bob');
    expect(c3).toMatchObject({ version: 3, route: 'a', who: 'bob', before: { new: 10 }, after: { new: 30, shadow: 5, fallback: true } });
    expect((await s.history('a')).map((c) => c.version)).toEqual([3, 1]);
    expect(await s.history('a', 1)).toHaveLength(1);
    const r1 = await s.rollback('a', defaults, 'carol');
    expect(r1).toMatchObject({ version: 4, action: 'rollback', undoes: 3, after: { new: 10, shadow: 0 } });
    expect(await s.rollback('a', defaults, 'carol')).toMatchObject({ undoes: 1, after: defaults });
    await expect(s.rollback('a', defaults, 'carol')).rejects.toMatchObject({ code: 'STRANGLER_E_ROLLBACK_NONE' });
    expect((await s.load()).dials).toMatchObject({ a: defaults, b: { new: 50 } });
  });

  it('hands a change made by another store on the same key to its subscribers, and writes on top of it', async () => {
    const [a, b] = [store('shared'), store('shared')];
    await Promise.all([a.load(), b.load()]);
    const got = next<StateSnapshot>((l) => b.subscribe(l), (s) => s.version === 1);
    await a.update('r', defaults, { new: 42 }, 'a');
    expect((await got).dials.r).toEqual({ new: 42, shadow: 0, fallback: true });
    expect(await b.update('r', defaults, { shadow: 7 }, 'b')).toMatchObject({ version: 2, before: { new: 42 }, after: { new: 42, shadow: 7 } });
    const c = store('shared');
    expect((await c.load()).version).toBe(2); // a newcomer starts from the shared state
  });

  it('gives a lease to one holder at a time across stores, renews it for its holder, and frees it when it lapses', async () => {
    const [a, b] = [store('lease'), store('lease')];
    await Promise.all([a.load(), b.load()]);
    expect(await a.lease('guard', 'p1', 300)).toBe(true);
    expect(await b.lease('guard', 'p2', 300)).toBe(false);
    expect(await a.lease('guard', 'p1', 300)).toBe(true);
    expect(await b.lease('ramp', 'p2', 300)).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    expect(await b.lease('guard', 'p2', 60_000)).toBe(true);
    expect(await a.lease('guard', 'p1', 60_000)).toBe(false);
    // Given up by its holder (a graceful stop): the other takes it at once; a stranger cannot free it.
    await a.releaseLease('guard', 'p1');
    expect(await a.lease('guard', 'p1', 60_000)).toBe(false);
    await b.releaseLease('guard', 'p2');
    expect(await a.lease('guard', 'p1', 60_000)).toBe(true);
  });

  it('turns a route group in one version and writes ramps by revision, seen by the other stores', async () => {
    const [a, b] = [store('group'), store('group')];
    await Promise.all([a.load(), b.load()]);
    await a.update('a', defaults, { new: 10 }, 'alice');
    const changes = await b.updateMany([{ route: 'a', defaults }, { route: 'b', defaults }], { new: 25 }, 'bob', 'users', 'why');
    expect(changes.map((c) => [c.route, c.version, c.group, c.before.new, c.after.new])).toEqual([
      ['a', 2, 'users', 10, 25],
      ['b', 2, 'users', 0, 25],
    ]);
    expect(await a.rollback('b', defaults, 'carol')).toMatchObject({ version: 3, undoes: 2, after: defaults });
    expect((await a.history('a')).map((c) => c.version)).toEqual([2, 1]);

    const ramp = { target: 'a', steps: [1, 50], holdMs: 1000, requireReady: false, step: -1, since: new Date(0).toISOString(), status: 'running' as const, who: 'alice', revision: 0 };
    const seen = next<StateSnapshot>((l) => b.subscribe(l), (s) => s.ramps?.a?.revision === 1);
    expect(await a.putRamp('a', ramp, 1)).toBe(false);
    expect(await a.putRamp('a', ramp, undefined)).toBe(true);
    expect((await seen).version).toBe(4);
    expect(await b.putRamp('a', { ...ramp, step: 0 }, undefined)).toBe(false); // a came first
    expect(await b.putRamp('a', { ...ramp, step: 0 }, 1)).toBe(true);
    expect(await a.putRamp('a', undefined, 2)).toBe(true);
    expect((await a.load()).ramps).toEqual({});
  });

  it('refuses to start without Redis, with the code', async () => {
    const s = new RedisStateStore({ url: `redis://127.0.0.1:${await freePort()}`, key: 'none', connectTimeoutMs: 500 });
    open.push(s);
    await expect(s.load()).rejects.toMatchObject({ code: 'STRANGLER_E_STATE_UNAVAILABLE' });
    expect(s.health()).toMatchObject({ store: 'redis', reachable: false });
    expect(await s.lease('guard', 'p1', 1000)).toBe(false);
  });

  it('refuses a state key that is not a strangler state document, with the code', async () => {
    const raw = new Redis(redis.url);
    await raw.set('corrupt:state', '{"not":"state"}');
    raw.disconnect();
    await expect(store('corrupt').load()).rejects.toMatchObject({ code: 'STRANGLER_E_STATE_CORRUPT' });
  });

  it('puts its last known dials back when Redis lost them', async () => {
    const healths: StateHealth[] = [];
    const a = store('lost', { resyncMs: 50, onHealth: (h) => healths.push(h) });
    await a.load();
    await a.update('r', defaults, { new: 5 }, 'a');
    const raw = new Redis(redis.url);
    await raw.del('lost:state');
    try {
      for (let i = 0; i < 200 && (await raw.get('lost:state')) === null; i++) await new Promise((r) => setTimeout(r, 25));
      expect(JSON.parse((await raw.get('lost:state'))!)).toEqual({ version: 1, dials: { r: { new: 5, shadow: 0, fallback: true } } });
    } finally {
      raw.disconnect();
    }
    expect(healths).toEqual([]); // Redis never went away
  });
});
