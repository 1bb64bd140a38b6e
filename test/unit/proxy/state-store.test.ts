import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StateSnapshot, StateStore } from '../../../proxy/state/contract.js';
import { FileStateStore } from '../../../proxy/state/file-store.js';
import { MAX_HISTORY, applyUpdate, emptyDocument } from '../../../proxy/state/history.js';
import { MemoryStateStore } from '../../../proxy/state/memory-store.js';

const defaults = { new: 0, shadow: 0, fallback: true };
const tmpDirs: string[] = [];
function tmpFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-state-'));
  tmpDirs.push(dir);
  return path.join(dir, 'sub', 'routes.json');
}
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe.each([
  ['memory', () => new MemoryStateStore()],
  ['file', () => new FileStateStore(tmpFile())],
])('%s state store', (_name, make: () => StateStore) => {
  let store: StateStore;
  beforeEach(async () => {
    store = make();
    await store.load();
  });
  afterEach(() => store.close());

  it('versions and audits every change', async () => {
    const seen: StateSnapshot[] = [];
    store.subscribe((s) => seen.push(s));
    const c1 = await store.update('a', defaults, { new: 10 }, 'alice');
    const c2 = await store.update('a', defaults, { new: 30, shadow: 5 }, 'bob');
    expect(c1).toMatchObject({ version: 1, route: 'a', who: 'alice', action: 'set', before: defaults, after: { new: 10, shadow: 0, fallback: true } });
    expect(c2).toMatchObject({ version: 2, before: { new: 10 }, after: { new: 30, shadow: 5, fallback: true } });
    expect(new Date(c2.at).getTime()).toBeGreaterThan(0);
    expect(seen.map((s) => s.version)).toEqual([1, 2]);
    expect((await store.load()).dials.a).toEqual({ new: 30, shadow: 5, fallback: true });
    expect((await store.history('a')).map((c) => c.version)).toEqual([2, 1]);
    expect(await store.history('b')).toEqual([]);
  });

  it('rolls back step by step, then refuses', async () => {
    await store.update('a', defaults, { new: 10 }, 'alice');
    await store.update('b', defaults, { new: 50 }, 'alice');
    await store.update('a', defaults, { new: 30 }, 'alice');
    const r1 = await store.rollback('a', defaults, 'carol');
    expect(r1).toMatchObject({ action: 'rollback', undoes: 3, before: { new: 30 }, after: { new: 10 }, who: 'carol' });
    const r2 = await store.rollback('a', defaults, 'carol');
    expect(r2).toMatchObject({ undoes: 1, after: defaults });
    await expect(store.rollback('a', defaults, 'carol')).rejects.toMatchObject({ code: 'STRANGLER_E_ROLLBACK_NONE' });
    expect((await store.load()).dials).toMatchObject({ a: defaults, b: { new: 50 } });
  });
});

describe.each([
  ['memory', () => new MemoryStateStore()],
  ['file', () => new FileStateStore(tmpFile())],
])('%s state store: groups, ramps, leases', (_name, make: () => StateStore) => {
  let store: StateStore;
  beforeEach(async () => {
    store = make();
    await store.load();
  });
  afterEach(() => store.close());

  it('turns a route group in one version, each member audited with its group', async () => {
    await store.update('a', defaults, { new: 10 }, 'alice');
    const changes = await store.updateMany([{ route: 'a', defaults }, { route: 'b', defaults }], { new: 25 }, 'bob', 'users', 'a reason');
    expect(changes.map((c) => [c.route, c.version, c.group, c.before.new, c.after.new, c.reason])).toEqual([
      ['a', 2, 'users', 10, 25, 'a reason'],
      ['b', 2, 'users', 0, 25, 'a reason'],
    ]);
    expect((await store.load()).dials).toMatchObject({ a: { new: 25 }, b: { new: 25 } });
    // Each member's rollback walks its own history back.
    expect(await store.rollback('b', defaults, 'carol')).toMatchObject({ undoes: 2, after: defaults });
  });

  it('writes a ramp only over the revision it read', async () => {
    const ramp = { target: 'a', steps: [1, 50], holdMs: 1000, requireReady: false, step: -1, since: new Date(0).toISOString(), status: 'running' as const, who: 'alice', revision: 0 };
    const seen: number[] = [];
    store.subscribe((s) => seen.push(s.ramps?.a?.revision ?? -1));
    expect(await store.putRamp('a', ramp, 1)).toBe(false);
    expect(await store.putRamp('a', ramp, undefined)).toBe(true);
    expect(await store.putRamp('a', { ...ramp, step: 0 }, undefined)).toBe(false);
    expect(await store.putRamp('a', { ...ramp, step: 0 }, 1)).toBe(true);
    expect((await store.load()).ramps?.a).toMatchObject({ step: 0, revision: 2 });
    expect(await store.putRamp('a', undefined, 2)).toBe(true);
    expect((await store.load()).ramps?.a).toBeUndefined();
    expect(seen).toEqual([1, 2, -1]);
  });

  it('gives a lease to one holder until it lapses', async () => {
    expect(await store.lease('runner', 'p1', 60_000)).toBe(true);
    expect(await store.lease('runner', 'p2', 60_000)).toBe(false);
    expect(await store.lease('runner', 'p1', 60_000)).toBe(true);
    expect(await store.lease('other', 'p2', 60_000)).toBe(true);
    expect(await store.lease('lapsing', 'p1', 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.lease('lapsing', 'p2', 60_000)).toBe(true);
  });

  it("keeps the guard's memory of a route, in a new version only when it changes", async () => {
    const seen: (number[] | undefined)[] = [];
    store.subscribe((s) => seen.push(s.guard?.a?.healthy));
    await store.putGuardMemory('a', [25, 10]);
    await store.putGuardMemory('a', [10, 25]);
    expect((await store.load()).guard?.a).toMatchObject({ healthy: [10, 25] });
    expect(seen).toEqual([[10, 25]]);
  });

  it('lets only its holder give a lease up, after which another takes it at once', async () => {
    expect(await store.lease('pilot', 'p1', 60_000)).toBe(true);
    await store.releaseLease('pilot', 'p2');
    expect(await store.lease('pilot', 'p2', 60_000)).toBe(false);
    await store.releaseLease('pilot', 'p1');
    expect(await store.lease('pilot', 'p2', 60_000)).toBe(true);
  });
});

describe('file state store', () => {
  it('leaves no lease file behind once its holder gives the lease up (a stopped proxy)', async () => {
    const file = tmpFile();
    const a = new FileStateStore(file);
    await a.load();
    expect(await a.lease('pilot', 'p1', 60_000)).toBe(true);
    expect(fs.existsSync(`${file}.lease-pilot`)).toBe(true);
    await a.releaseLease('pilot', 'p1');
    expect(fs.existsSync(`${file}.lease-pilot`)).toBe(false);
    await a.close();
  });

  it('is picked up by another process through the file', async () => {
    const file = tmpFile();
    const a = new FileStateStore(file);
    const b = new FileStateStore(file);
    await a.load();
    await b.load();
    const got = new Promise<StateSnapshot>((resolve) => b.subscribe(resolve));
    await a.update('r', defaults, { new: 42 }, 'a');
    const snap = await got;
    expect(snap.dials.r?.new).toBe(42);
    // b writes next on top of a's change, not over it.
    const c = await b.update('r', defaults, { shadow: 7 }, 'b');
    expect(c).toMatchObject({ version: 2, after: { new: 42, shadow: 7 } });
    await Promise.all([a.close(), b.close()]);
  });

  it('serialises concurrent writers and leaves no temp or lock files', async () => {
    const file = tmpFile();
    const a = new FileStateStore(file);
    const b = new FileStateStore(file);
    await Promise.all([a.load(), b.load()]);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).update('r', defaults, { new: i }, 'x')));
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(doc.version).toBe(20);
    expect(doc.history).toHaveLength(20);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['routes.json']);
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses a corrupt file with a catalogued error', async () => {
    const file = tmpFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"not":"state"}');
    const s = new FileStateStore(file);
    await expect(s.load()).rejects.toMatchObject({ code: 'STRANGLER_E_STATE_CORRUPT' });
    await s.close();
  });
});

describe('history cap', () => {
  it('keeps the newest MAX_HISTORY changes', () => {
    let doc = emptyDocument();
    for (let i = 0; i < MAX_HISTORY + 5; i++) doc = applyUpdate(doc, 'r', defaults, { new: i % 100 }, 'x', new Date()).doc;
    expect(doc.history).toHaveLength(MAX_HISTORY);
    expect(doc.history[0]!.version).toBe(6);
    expect(doc.version).toBe(MAX_HISTORY + 5);
  });
});
