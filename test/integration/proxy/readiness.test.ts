import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Datastore } from '@google-cloud/datastore';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { loadConfig, requireSection } from '../../../config/load.js';
import { buildRecord } from '../../../diffs/record.js';
import { toStoredLine } from '../../../diffs/stored-line.js';
import { zeroCounts } from '../../../diffs/types.js';
import { createDatastoreCheckpointStore } from '../../../migrators/checkpoint/datastore.js';
import type { Checkpoint, VerifyMark } from '../../../migrators/checkpoint/contract.js';
import { startProxy, type RunningProxy } from '../../../proxy/runtime.js';
import { MemoryStateStore } from '../../../proxy/state/memory-store.js';
import { consoleSources } from '../../../wiring/console-sources.js';
import { deadPort, startUpstream, type Upstream } from '../../support/http.js';
import { testNamespace, TEST_PROJECT } from '../../support/services.js';
import { pair } from '../../unit/diffs/helpers.js';
import { adminHeaders, json, request, TOKEN } from './setup.js';
import type { RampView } from '../../../proxy/admin-client.js';

/**
 * The readiness gate as a running proxy judges it (GET /readiness): the diff records it reads, the
 * verify marks and catch-up lag in the checkpoint store (the emulator), and the latency of its live
 * traffic, which can fail a route whose shadow pairs pass; and `strangler ready` says the same.
 */
let dir: string;
let legacy: Upstream;
let next: Upstream;
let proxy: RunningProxy;
let closeSources: () => Promise<void>;
let configFile: string;
let admin: string;
let checkpoints: ReturnType<typeof createDatastoreCheckpointStore>;

function line(i: number, route: string): string {
  const r = buildRecord(`${route}-${i}`, { ...pair(route, {}, {}), time: new Date().toISOString() }, { differences: [], normalised: zeroCounts() });
  return toStoredLine({ ...r, legacy: { ...r.legacy, latencyMs: 12 }, new: { ...r.new, latencyMs: 15 } }, []);
}

function checkpoint(table: string, watermark: string): Checkpoint {
  const now = new Date().toISOString();
  return { id: `${table}#0/1`, table, kind: table, shard: '0/1', range: { start: null, end: null } as never, lastKey: null, rowsCopied: 10, rowsTotal: 10, deadLetters: 0, retries: 0, watermark, startedAt: now, updatedAt: now, rate: 100, done: true };
}

function mark(table: string, clean: boolean): VerifyMark {
  return { table, kind: table, at: new Date().toISOString(), clean, rows: 10, entities: clean ? 10 : 9, missing: clean ? 0 : 1, extra: 0, fieldDiffs: 0, ms: 5 };
}

/** MySQL's clock text for `secondsAgo` before now (UTC). */
const mysqlTime = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString().replace('T', ' ').replace('Z', '');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-readiness-'));
  // Legacy answers stock in 20 ms: once both backends have 50 live answers the gate compares new's p95
  // with legacy's (≤ 1.25×), which two backends that answer in a millisecond would pass or fail by chance.
  legacy = await startUpstream((req, res) => (req.url?.startsWith('/api/stock/') ? void setTimeout(() => res.end('legacy'), 20) : res.end('legacy')));
  // New answers orders (and slow.get) slowly: its shadow pairs (written below) say 15 ms, its live traffic does not.
  next = await startUpstream((req, res) => (/^\/api\/(orders|slow)\//.test(req.url ?? '') ? void setTimeout(() => res.end('new'), 700) : res.end('new')));
  const namespace = testNamespace('ready');
  const lines: string[] = [];
  for (let i = 0; i < 500; i++) lines.push(line(i, 'users.get'), line(i, 'orders.get'), line(i, 'carts.get'), line(i, 'stock.get'), line(i, 'slow.get'));
  writeFileSync(path.join(dir, 'diffs.jsonl'), lines.join('\n') + '\n');
  configFile = path.join(dir, 'strangler.yaml');
  writeFileSync(
    configFile,
    [
      'proxy:',
      '  listen: 127.0.0.1:0',
      `  admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }`,
      `  backends: { legacy: { url: "${legacy.url}" }, new: { url: "${next.url}" } }`,
      `  diffs: { store: file, path: ${path.join(dir, 'diffs.jsonl')} }`,
      '  routes:',
      '    - { name: users.get, match: { path: /api/users/:id }, tables: [users] }',
      '    - { name: orders.get, match: { path: /api/orders/:id }, new: 100, tables: [users] }',
      '    - { name: carts.get, match: { path: /api/carts/:id }, tables: [carts, orders] }',
      // Ramped with --require-ready below; a guard window of 5 minutes stays healthy on a few answers.
      '    - { name: stock.get, match: { path: /api/stock/:id }, tables: [stock], guard: { maxErrorRate: 50, maxP95Ms: 5000, window: 5m, minRequests: 1 } }',
      '    - { name: slow.get, match: { path: /api/slow/:id }, new: 50, guard: { maxErrorRate: 50, maxP95Ms: 5000, window: 5m, minRequests: 1 } }',
      'migrate:',
      '  source: mysql://root@127.0.0.1:1/none',
      `  target: { projectId: ${TEST_PROJECT}, namespace: ${namespace} }`,
      '  tables: { users: { kind: User }, carts: { kind: Cart }, orders: { kind: Order }, stock: { kind: Stock } }',
    ].join('\n'),
  );
  const store = createDatastoreCheckpointStore(new Datastore({ projectId: TEST_PROJECT, namespace }));
  checkpoints = store;
  // users: copied a minute ago, verified clean; carts: verified, not clean; orders: clean but 20 min behind (its last sync).
  await store.put(checkpoint('users', mysqlTime(60)));
  await store.put(checkpoint('carts', mysqlTime(60)));
  await store.put(checkpoint('orders', mysqlTime(3600)));
  // stock: copied a minute ago, never verified (the ramp test verifies it).
  await store.put(checkpoint('stock', mysqlTime(60)));
  await store.putSyncMark({ table: 'orders', watermark: mysqlTime(1200), at: new Date().toISOString() });
  await Promise.all([store.putVerifyMark(mark('users', true)), store.putVerifyMark(mark('carts', false)), store.putVerifyMark(mark('orders', true))]);

  const config = loadConfig(configFile, {});
  const sources = consoleSources(config);
  closeSources = sources.close;
  proxy = await startProxy({ config: requireSection(config, 'proxy'), store: new MemoryStateStore(), console: sources.sources });
  admin = `http://127.0.0.1:${proxy.adminAddress.port}`;
  // Live traffic on orders.get, all on new: 60 answers of ~700 ms.
  const url = `http://127.0.0.1:${proxy.address.port}`;
  for (let round = 0; round < 6; round++) await Promise.all(Array.from({ length: 10 }, (_, i) => request(url, { path: `/api/orders/${round * 10 + i}`, headers: { 'x-user-id': `u${i}` } })));
}, 120_000);

afterAll(async () => {
  await proxy?.stop(100);
  await closeSources?.();
  await legacy?.close();
  await next?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Verdict = { route: string; ready: boolean; criteria: { name: string; ok: boolean; figure: string }[] };
const criteria = (v: Verdict) => Object.fromEntries(v.criteria.map((c) => [c.name, c.ok]));

describe('GET /readiness on the admin API', () => {
  it('judges every route by its records, its live latency and the checkpoint store', async () => {
    const body = await json(fetch(`${admin}/readiness`, { headers: adminHeaders() }));
    expect(body.ready).toBe(false);
    const by = new Map((body.routes as Verdict[]).map((v) => [v.route, v]));
    expect(criteria(by.get('users.get')!)).toEqual({ responses: true, latency: true, errors: true, data: true });
    expect(by.get('users.get')!.criteria[3]!.figure).toMatch(new RegExp(`^from the checkpoint store in ${TEST_PROJECT}; users clean 0 min ago, \\d+ s behind \\(backfill\\)`));
    // Fast shadow pairs, slow live answers: the live traffic fails it.
    const orders = by.get('orders.get')!;
    expect(criteria(orders)).toEqual({ responses: true, latency: false, errors: true, data: true });
    expect(orders.criteria[1]!.figure).toMatch(/^shadow pairs: new p95 15 ms .*; live, 60 answers of new since the proxy started: new p95 \d+ ms \(≤ 500 ms budget; no legacy answers to compare\)$/);
    const carts = by.get('carts.get')!;
    expect(criteria(carts)).toEqual({ responses: true, latency: true, errors: true, data: false });
    expect(carts.criteria[3]!.figure).toMatch(/carts not clean \(1 missing, 0 extra, 0 field diffs\); orders 1[23]\d\d s behind MySQL by sync \(≤ 300 s\)/);
  });

  it('GET /routes/:name/readiness gives one route, the JSON of strangler ready --json, which --admin asks for', async () => {
    const one = await json(fetch(`${admin}/routes/users.get/readiness`, { headers: adminHeaders() }));
    expect(one).toMatchObject({ ready: true, routes: [{ route: 'users.get', ready: true }] });
    const viaAdmin = bufferIo({ STRANGLER_ADMIN_TOKEN: TOKEN });
    expect(await runCli(['ready', 'users.get', '--admin', admin, '--json'], viaAdmin)).toBe(0);
    // The lag grows by the second between two reads: compared without it.
    const steady = (v: unknown) => JSON.parse(JSON.stringify(v).replace(/\d+ s behind/g, 'N s behind'));
    expect(steady(JSON.parse(viaAdmin.out()))).toEqual(steady(one));
    // From the config, without the proxy: the same verdict (its records and its checkpoint store).
    const fromConfig = bufferIo({ DATASTORE_EMULATOR_HOST: process.env.DATASTORE_EMULATOR_HOST });
    expect(await runCli(['ready', 'users.get', '-c', configFile, '--json'], fromConfig)).toBe(0);
    expect(steady(JSON.parse(fromConfig.out()))).toEqual(steady(one));
    // A larger --max-lag lets carts' orders table pass on lag (carts stays not clean).
    const lagged = bufferIo({});
    expect(await runCli(['ready', 'carts.get', '-c', configFile, '--max-lag', '1h'], lagged)).toBe(1);
    expect(lagged.out()).toMatch(/✗ data +from the checkpoint store in strangler-test; carts not clean \(1 missing, 0 extra, 0 field diffs\)\n/);
  });

  it('an unknown route is a 404 with its code', async () => {
    const res = await fetch(`${admin}/routes/nope/readiness`, { headers: adminHeaders() });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('STRANGLER_E_ROUTE_UNKNOWN');
  });
});

/** Polls `read` until `done` holds (a generous deadline; the pilot ticks every second). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const rampOf = (target: string) => async () => ((await json(fetch(`${admin}/ramps`, { headers: adminHeaders() }))).ramps as RampView[]).find((r) => r.target === target);
const historyOf = async (route: string) => ((await json(fetch(`${admin}/routes/${route}/history`, { headers: adminHeaders() }))).changes as { who: string; reason: string }[]).reverse().map((c) => [c.who, c.reason]);
const ramp = (args: string[]) => runCli(['routes', 'ramp', ...args], bufferIo({ STRANGLER_ADMIN_TOKEN: TOKEN, STRANGLER_ADMIN_URL: admin, STRANGLER_ACTOR: 'test' }));
/** `n` requests on `path`, each from another user. */
const traffic = (prefix: string, from: number, n: number) => Promise.all(Array.from({ length: n }, (_, i) => request(`http://127.0.0.1:${proxy.address.port}`, { path: `${prefix}/${from + i}`, headers: { 'x-user-id': `v${from + i}` } })));

describe('a ramp with --require-ready asks the same gate as GET /routes/:name/readiness', () => {
  it('holds while a table it names is unverified or not clean, and steps once a clean verify is stored', async () => {
    expect(await ramp(['stock.get', '--steps', '50,100', '--hold', '1s', '--require-ready'])).toBe(0);
    await until(rampOf('stock.get'), (r) => r?.step === 0, 'the first step');
    // Answers of new for the guard window, which forgets what it saw when the dial moves.
    let n = 0;
    const withTraffic = async () => (await traffic('/api/stock', (n += 4) - 4, 4), await rampOf('stock.get')());
    const held = await until(withTraffic, (r) => r?.held === 'the readiness gate: stock.get data', 'the gate to hold the ramp on data');
    expect(held).toMatchObject({ status: 'running', step: 0 });
    expect(held!.reason).toBe(`step 2 of 2 (new 100%): waiting for the readiness gate: stock.get data: from the checkpoint store in ${TEST_PROJECT}; stock never verified`);

    await checkpoints.putVerifyMark(mark('stock', false));
    const unclean = await until(withTraffic, (r) => r?.waiting?.includes('stock not clean') === true, 'the gate to read the unclean verify');
    expect(unclean!.waiting).toBe(`waiting for the readiness gate: stock.get data: from the checkpoint store in ${TEST_PROJECT}; stock not clean (1 missing, 0 extra, 0 field diffs)`);
    expect(unclean).toMatchObject({ status: 'running', step: 0, held: 'the readiness gate: stock.get data' });
    expect(await historyOf('stock.get')).toEqual([['ramp', 'ramp step 1 of 2: new 50%']]);

    await checkpoints.putVerifyMark(mark('stock', true));
    const done = await until(withTraffic, (r) => r?.status === 'done', 'the ramp to finish');
    expect(done!.held).toBeUndefined();
    expect(await historyOf('stock.get')).toEqual([
      ['ramp', 'ramp step 1 of 2: new 50%'],
      ['ramp', 'ramp step 2 of 2: new 100%'],
    ]);
  });

  it('holds on the live latency of the route, which its shadow pairs do not show', async () => {
    // 50 answers of new since the proxy started make its live latency count (at 50%, from many users).
    let from = 0;
    await until(
      async () => {
        await traffic('/api/slow', (from += 20) - 20, 20);
        return (await json(fetch(`${admin}/routes/slow.get/readiness`, { headers: adminHeaders() }))).routes[0].criteria[1].figure as string;
      },
      (figure) => figure.includes('; live, '),
      '50 live answers of new',
    );
    expect(await ramp(['slow.get', '--steps', '60,100', '--hold', '1s', '--require-ready'])).toBe(0);
    await until(rampOf('slow.get'), (r) => r?.step === 0, 'the first step');
    const withTraffic = async () => (await traffic('/api/slow', (from += 4) - 4, 4), await rampOf('slow.get')());
    const held = await until(withTraffic, (r) => r?.held === 'the readiness gate: slow.get latency', 'the gate to hold the ramp on latency');
    expect(held).toMatchObject({ status: 'running', step: 0 });
    expect(held!.reason).toMatch(/^step 2 of 2 \(new 100%\): waiting for the readiness gate: slow\.get latency: shadow pairs: new p95 15 ms \(.*\); live, \d+ answers of new since the proxy started: new p95 \d+ ms \(≤ 500 ms budget/);
    expect(await historyOf('slow.get')).toEqual([['ramp', 'ramp step 1 of 2: new 60%']]);
    expect(await ramp(['slow.get', '--abort'])).toBe(0);
  });
});

describe('a checkpoint store that does not answer', () => {
  it('strangler ready -c FILE fails with STRANGLER_E_READINESS_UNAVAILABLE naming it, without waiting out the client; a proxy says data not judged', async () => {
    const saved = process.env.DATASTORE_EMULATOR_HOST;
    const dead = `127.0.0.1:${await deadPort()}`;
    process.env.DATASTORE_EMULATOR_HOST = dead;
    const config = loadConfig(configFile, {});
    const sources = consoleSources(config);
    let other: RunningProxy | undefined;
    try {
      const io = bufferIo({});
      expect(await runCli(['ready', 'users.get', '-c', configFile], io)).toBe(1);
      expect(io.err()).toContain(`the readiness gate's data criterion: cannot read the checkpoint store (Datastore emulator at ${dead} (project ${TEST_PROJECT}), each read bounded to 5 s): `);
      expect(io.err()).toContain('[STRANGLER_E_READINESS_UNAVAILABLE]');
      other = await startProxy({ config: requireSection(config, 'proxy'), store: new MemoryStateStore(), console: sources.sources });
      const verdict = await json(fetch(`http://127.0.0.1:${other.adminAddress.port}/routes/users.get/readiness`, { headers: adminHeaders() }));
      expect(verdict.routes[0].criteria[3]).toMatchObject({ name: 'data', ok: false, judged: false });
      expect(verdict.routes[0].criteria[3].figure).toMatch(new RegExp(`^not judged: tables users: cannot read the checkpoint store \\(Datastore emulator at ${dead} \\(project ${TEST_PROJECT}\\)`));
    } finally {
      process.env.DATASTORE_EMULATOR_HOST = saved;
      await other?.stop(100);
      await sources.close();
    }
  });
});
