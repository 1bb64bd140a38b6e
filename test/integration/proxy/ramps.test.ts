import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import type { RampState, StateSnapshot, StateStore } from '../../../proxy/state/contract.js';
import { FileStateStore } from '../../../proxy/state/file-store.js';
import type { Config } from '../../../config/schema.js';
import { buildRecord } from '../../../diffs/record.js';
import { toStoredLine } from '../../../diffs/stored-line.js';
import { zeroCounts } from '../../../diffs/types.js';
import { consoleSources } from '../../../wiring/console-sources.js';
import { pair } from '../../unit/diffs/helpers.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { TOKEN, adminHeaders, json, proxyConfig, request, startTestProxy, type TestProxy } from './setup.js';

let failing = false;
let served = 0;
let legacy: Upstream;
let next: Upstream;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-ramps-'));
/** The diff records the proxy's readiness gate reads (the proxy itself keeps its own in memory). */
const diffs = path.join(dir, 'diffs.jsonl');
const guard = { maxErrorRate: 5, maxP95Ms: 1500, window: '2s', minRequests: 5 };
const config = () =>
  proxyConfig(legacy.url, next.url, {
    state: { store: 'file', path: path.join(dir, 'routes.json') },
    routes: [
      { name: 'users.get', match: { method: 'GET', path: '/api/users/:id' }, guard },
      { name: 'carts.get', match: { method: 'GET', path: '/api/carts/:id' }, guard },
      { name: 'orders.get', match: { method: 'GET', path: '/api/orders/:id' }, fallback: false, guard },
      { name: 'plain.get', match: { method: 'GET', path: '/api/plain' } },
      // One answer of new in the window is enough here: the gate, not the traffic, is what this route's test waits on.
      { name: 'gated.get', match: { method: 'GET', path: '/api/gated/:id' }, guard: { ...guard, minRequests: 1 } },
      { name: 'tabled.get', match: { method: 'GET', path: '/api/tabled/:id' }, guard: { ...guard, minRequests: 1 }, tables: ['users'] },
    ],
  });

/** 500 matching pairs of `route` in which legacy answers in 12 ms and new in `newMs`. */
const pairs = (route: string, newMs: number) =>
  Array.from({ length: 500 }, (_, i) => {
    const r = buildRecord(`${route}-${newMs}-${i}`, { ...pair(route, {}, {}), time: new Date().toISOString() }, { differences: [], normalised: zeroCounts() });
    return toStoredLine({ ...r, legacy: { ...r.legacy, latencyMs: 12 }, new: { ...r.new, latencyMs: newMs } }, []);
  }).join('\n') + '\n';

beforeAll(async () => {
  // Legacy answers the gated routes in 20 ms: the gate compares new's live p95 with legacy's (≤ 1.25×),
  // and two backends that both answer in a millisecond or two would pass or fail it by chance.
  legacy = await startUpstream((req, res) => (/^\/api\/(gated|tabled)\//.test(req.url ?? '') ? void setTimeout(() => res.end('legacy'), 20) : res.end('legacy')));
  next = await startUpstream((req, res) => {
    if (failing && req.url?.startsWith('/api/orders') && served++ % 2 === 0) return void res.writeHead(500).end('new failed');
    res.end('new');
  });
});

afterAll(async () => {
  await legacy?.close();
  await next?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What the proxy's admin API and its ramps read for the readiness gate, as `proxy start` builds it: the records in `diffs`, no migrate section. */
const sources = () => {
  const cfg = config();
  return consoleSources({ file: path.join(dir, 'strangler.yaml'), proxy: { ...cfg, diffs: { ...cfg.diffs, store: 'file', path: diffs } } } as Config).sources;
};

async function startOn(store: StateStore): Promise<TestProxy> {
  await store.load();
  return startTestProxy(config(), store, undefined, sources());
}

/** Steady load from many users over the three guarded routes. */
function load(proxy: () => TestProxy) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
  let running = true;
  let n = 0;
  const worker = async () => {
    while (running) {
      const p = ['users', 'carts', 'orders', 'gated', 'tabled'][n % 5];
      await request(proxy().url, { path: `/api/${p}/${n}`, headers: { 'x-user-id': `u${n++}` }, agent }).catch(() => undefined);
    }
  };
  const all = Promise.all(Array.from({ length: 6 }, worker));
  return async () => {
    running = false;
    await all;
    agent.destroy();
  };
}

function cli(proxy: TestProxy, args: string[]) {
  const io = bufferIo({ STRANGLER_ADMIN_TOKEN: TOKEN, STRANGLER_ACTOR: 'test', STRANGLER_ADMIN_URL: proxy.admin });
  return runCli(args, io).then((code) => ({ code, out: io.out(), err: io.err() }));
}

function rampOf(store: StateStore, target: string, done: (r: RampState) => boolean): Promise<StateSnapshot> {
  return new Promise((resolve) => {
    const off = store.subscribe((s) => {
      const r = s.ramps?.[target];
      if (r !== undefined && done(r)) {
        off();
        resolve(s);
      }
    });
  });
}

describe('ramps', () => {
  let proxy: TestProxy;
  let stopLoad: () => Promise<void>;
  afterAll(async () => {
    await stopLoad?.();
    await proxy?.stop(100);
    await proxy?.store.close();
  });

  it('steps a route up, each step after its hold with a healthy window, each an audited change by ramp; a proxy restart does not lose it', async () => {
    const storeA = new FileStateStore(path.join(dir, 'routes.json'));
    proxy = await startOn(storeA);
    stopLoad = load(() => proxy);
    const firstStep = rampOf(storeA, 'users.get', (r) => r.step === 0);
    const started = await cli(proxy, ['routes', 'ramp', 'users.get', '--steps', '10,50,100', '--hold', '2s']);
    expect(started.err).toBe('');
    expect(started.out).toContain('users.get: ramp running, not started; steps 10,50,100%, hold 2 s');
    await firstStep;
    // The proxy goes away after the first step; another one on the same state file carries the ramp on.
    await proxy.stop(100);
    await storeA.close();
    const storeB = new FileStateStore(path.join(dir, 'routes.json'));
    const done = rampOf(storeB, 'users.get', (r) => r.status === 'done');
    proxy = await startOn(storeB);
    const snap = await done;
    expect(snap.dials['users.get']!.new).toBe(100);
    const history = (await json(fetch(`${proxy.admin}/routes/users.get/history`, { headers: adminHeaders() }))).changes.reverse();
    expect(history.map((c: { who: string; reason: string; after: { new: number } }) => [c.who, c.reason, c.after.new])).toEqual([
      ['ramp', 'ramp step 1 of 3: new 10%', 10],
      ['ramp', 'ramp step 2 of 3: new 50%', 50],
      ['ramp', 'ramp step 3 of 3: new 100%', 100],
    ]);
    for (let i = 1; i < history.length; i++) expect(Date.parse(history[i].at) - Date.parse(history[i - 1].at)).toBeGreaterThanOrEqual(2000);
    const status = await cli(proxy, ['routes', 'ramp', 'users.get', '--status']);
    expect(status.out).toContain('users.get: ramp done, at step 3 of 3 (100%)');
  });

  it('pauses, resumes and aborts; the dial stays where the ramp left it', async () => {
    const firstStep = rampOf(proxy.store, 'carts.get', (r) => r.step === 0);
    expect((await cli(proxy, ['routes', 'ramp', 'carts.get', '--steps', '5,50', '--hold', '1h'])).code).toBe(0);
    await firstStep;
    expect((await cli(proxy, ['routes', 'ramp', 'carts.get', '--steps', '5,50', '--hold', '1h'])).err).toContain('STRANGLER_E_RAMP_RUNNING');
    expect((await cli(proxy, ['routes', 'ramp', 'carts.get', '--pause'])).out).toContain('carts.get: ramp paused, at step 1 of 2 (5%)');
    expect((await cli(proxy, ['routes', 'ramp', 'carts.get', '--pause'])).err).toContain('STRANGLER_E_RAMP_NONE');
    expect((await cli(proxy, ['routes', 'ramp', 'carts.get', '--resume'])).out).toContain('carts.get: ramp running');
    expect((await cli(proxy, ['routes', 'ramp', 'carts.get', '--abort'])).out).toMatch(/^carts\.get: ramp aborted, at step 1 of 2 \(5%\); .*; aborted by test$/m);
    expect((await proxy.store.load()).dials['carts.get']!.new).toBe(5);
  });

  it('is halted by a guard rollback and does not raise the dial again', async () => {
    const firstStep = rampOf(proxy.store, 'orders.get', (r) => r.step === 0);
    expect((await cli(proxy, ['routes', 'ramp', 'orders.get', '--steps', '50,100', '--hold', '1h'])).code).toBe(0);
    await firstStep;
    const halted = rampOf(proxy.store, 'orders.get', (r) => r.status === 'halted');
    failing = true;
    const snap = await halted;
    expect(snap.ramps!['orders.get']!.reason).toMatch(/^guard on orders\.get: new's error rate/);
    expect(snap.dials['orders.get']!.new).toBe(0);
  });

  it('with --require-ready, steps only on the verdict of GET /routes/:name/readiness, and stores which criterion held it', async () => {
    // 500 pairs in which the new service is 100× slower than legacy: right answers, not ready.
    fs.writeFileSync(diffs, pairs('gated.get', 1200));
    const firstStep = rampOf(proxy.store, 'gated.get', (r) => r.step === 0);
    expect((await cli(proxy, ['routes', 'ramp', 'gated.get', '--steps', '50,100', '--hold', '1s', '--require-ready'])).code).toBe(0);
    await firstStep;
    const held = (await rampOf(proxy.store, 'gated.get', (r) => r.held === 'the readiness gate: gated.get latency')).ramps!['gated.get']!;
    expect(held).toMatchObject({ status: 'running', step: 0, held: 'the readiness gate: gated.get latency' });
    expect(held.reason).toMatch(/^step 2 of 2 \(new 100%\): waiting for the readiness gate: gated\.get latency: shadow pairs: new p95 1200 ms \(≤ 500 ms budget and ≤ 1\.25× legacy's 12 ms\)/);
    const status = (await cli(proxy, ['routes', 'ramp', 'gated.get', '--status'])).out;
    expect(status).toContain(`gated.get: ramp running, at step 1 of 2 (50%); steps 50,100%, hold 1 s, requires the readiness gate; ${held.reason}`);
    const done = rampOf(proxy.store, 'gated.get', (r) => r.status === 'done');
    fs.writeFileSync(diffs, pairs('gated.get', 13));
    const snap = await done;
    expect(snap.dials['gated.get']!.new).toBe(100);
    expect(snap.ramps!['gated.get']!.held).toBeUndefined();
    const history = (await json(fetch(`${proxy.admin}/routes/gated.get/history`, { headers: adminHeaders() }))).changes.reverse();
    expect(history.map((c: { who: string; reason: string }) => [c.who, c.reason])).toEqual([
      ['ramp', 'ramp step 1 of 2: new 50%'],
      ['ramp', 'ramp step 2 of 2: new 100%'],
    ]);
  });

  it('with --require-ready, holds a route that names tables while this proxy has no checkpoint store: data not judged, never passed', async () => {
    fs.writeFileSync(diffs, pairs('tabled.get', 13));
    const firstStep = rampOf(proxy.store, 'tabled.get', (r) => r.step === 0);
    expect((await cli(proxy, ['routes', 'ramp', 'tabled.get', '--steps', '50,100', '--hold', '1s', '--require-ready'])).code).toBe(0);
    await firstStep;
    const snap = await rampOf(proxy.store, 'tabled.get', (r) => r.held === 'the readiness gate: tabled.get data');
    expect(snap.ramps!['tabled.get']).toMatchObject({ status: 'running', step: 0 });
    expect(snap.ramps!['tabled.get']!.reason).toBe(
      `step 2 of 2 (new 100%): waiting for the readiness gate: tabled.get data: not judged: tables users: ${path.join(dir, 'strangler.yaml')} has no migrate section: no checkpoint store to read migrations from`,
    );
    // The admin API says the same of the route: the one verdict.
    const verdict = await json(fetch(`${proxy.admin}/routes/tabled.get/readiness`, { headers: adminHeaders() }));
    expect(verdict.ready).toBe(false);
    expect(verdict.routes[0].criteria.find((c: { name: string }) => c.name === 'data')).toMatchObject({ ok: false, judged: false });
    expect(snap.dials['tabled.get']!.new).toBe(50);
    expect((await json(fetch(`${proxy.admin}/routes/tabled.get/history`, { headers: adminHeaders() }))).changes.map((c: { reason: string }) => c.reason)).toEqual(['ramp step 1 of 2: new 50%']);
    expect((await cli(proxy, ['routes', 'ramp', 'tabled.get', '--abort'])).code).toBe(0);
  });

  it('refuses bad ramps, changing nothing', async () => {
    const before = (await proxy.store.load()).version;
    const unguarded = await cli(proxy, ['routes', 'ramp', 'plain.get', '--steps', '5,50', '--hold', '1m']);
    expect(unguarded.code).toBe(2);
    expect(unguarded.err).toContain('STRANGLER_E_RAMP_INVALID');
    expect((await cli(proxy, ['routes', 'ramp', 'users.get', '--steps', '50,10', '--hold', '1m'])).err).toMatch(/steps must rise: 50 then 10 \[STRANGLER_E_RAMP_INVALID\]/);
    expect((await cli(proxy, ['routes', 'ramp', 'users.get', '--steps', '5,10', '--hold', 'soon'])).code).toBe(2);
    expect((await cli(proxy, ['routes', 'ramp', 'nothing', '--steps', '5,10', '--hold', '1m'])).err).toContain('STRANGLER_E_ROUTE_UNKNOWN');
    expect((await proxy.store.load()).version).toBe(before);
  });
});
