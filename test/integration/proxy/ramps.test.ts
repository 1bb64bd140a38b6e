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
import { readinessProbe } from '../../../wiring/readiness.js';
import { pair } from '../../unit/diffs/helpers.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { TOKEN, adminHeaders, json, proxyConfig, request, startTestProxy, type TestProxy } from './setup.js';

let failing = false;
let served = 0;
let legacy: Upstream;
let next: Upstream;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-ramps-'));
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
    ],
  });

beforeAll(async () => {
  legacy = await startUpstream((_req, res) => res.end('legacy'));
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

async function startOn(store: StateStore): Promise<TestProxy> {
  await store.load();
  return startTestProxy(config(), store);
}

/** Steady load from many users over the three guarded routes. */
function load(proxy: () => TestProxy) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
  let running = true;
  let n = 0;
  const worker = async () => {
    while (running) {
      const p = ['users', 'carts', 'orders', 'gated'][n % 4];
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

  it('with --require-ready, steps only once the readiness gate passes', async () => {
    const diffs = path.join(dir, 'diffs.jsonl');
    const cfg = config();
    proxy.pilot.ramps.readiness = readinessProbe(() => ({ file: path.join(dir, 'strangler.yaml'), proxy: { ...cfg, diffs: { ...cfg.diffs, store: 'file', path: diffs } } }) as Config);
    // 500 pairs in which the new service is 100× slower than legacy: right answers, not ready.
    const pairs = (newMs: number) =>
      Array.from({ length: 500 }, (_, i) => {
        const r = buildRecord(`g-${newMs}-${i}`, { ...pair('gated.get', {}, {}), time: new Date().toISOString() }, { differences: [], normalised: zeroCounts() });
        return toStoredLine({ ...r, legacy: { ...r.legacy, latencyMs: 12 }, new: { ...r.new, latencyMs: newMs } }, []);
      }).join('\n') + '\n';
    fs.writeFileSync(diffs, pairs(1200));
    const firstStep = rampOf(proxy.store, 'gated.get', (r) => r.step === 0);
    expect((await cli(proxy, ['routes', 'ramp', 'gated.get', '--steps', '50,100', '--hold', '1s', '--require-ready'])).code).toBe(0);
    await firstStep;
    let status = '';
    while (!status.includes('waiting for the readiness gate')) {
      status = (await cli(proxy, ['routes', 'ramp', 'gated.get', '--status'])).out;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toMatch(/gated\.get latency: shadow pairs: new p95 1200 ms/);
    const done = rampOf(proxy.store, 'gated.get', (r) => r.status === 'done');
    fs.writeFileSync(diffs, pairs(13));
    expect((await done).dials['gated.get']!.new).toBe(100);
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
