import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { StateSnapshot } from '../../../proxy/state/contract.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { adminHeaders, json, proxyConfig, request, setDial, startTestProxy, type TestProxy } from './setup.js';

/** How the new service answers, per route path prefix. */
const mode: Record<string, 'ok' | 'half' | 'slow'> = { orders: 'ok', carts: 'ok', slowpoke: 'ok' };
let served = 0;
let legacy: Upstream;
let next: Upstream;
let proxy: TestProxy;

beforeAll(async () => {
  legacy = await startUpstream((_req, res) => res.end('legacy'));
  next = await startUpstream((req, res) => {
    const m = mode[(req.url ?? '').split('/')[2] ?? ''] ?? 'ok';
    if (m === 'half' && served++ % 2 === 0) return void res.writeHead(500).end('new failed');
    if (m === 'slow') return void setTimeout(() => res.end('new (slow)'), 1500).unref();
    res.end('new');
  });
  const guard = { maxErrorRate: 5, maxP95Ms: 1000, window: '5s', minRequests: 20 };
  proxy = await startTestProxy(
    proxyConfig(legacy.url, next.url, {
      routes: [
        { name: 'orders.get', match: { method: 'GET', path: '/api/orders/:id' }, new: 50, fallback: false, guard },
        { name: 'carts.get', match: { method: 'GET', path: '/api/carts/:id' }, new: 10, fallback: true, guard },
        { name: 'slowpoke.get', match: { method: 'GET', path: '/api/slowpoke/:id' }, new: 100, fallback: false, guard: { ...guard, maxP95Ms: 400, minRequests: 5 } },
      ],
    }),
  );
});

afterAll(async () => {
  await proxy?.stop(100);
  await legacy?.close();
  await next?.close();
});

/** Steady load from many users on one path; counts what users saw. */
function load(path: string, concurrency = 6) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const seen = { ok: 0, errors: 0 };
  let running = true;
  let n = 0;
  const worker = async () => {
    while (running) {
      const r = await request(proxy.url, { path: `${path}/${n}`, headers: { 'x-user-id': `user-${n++}` }, agent }).catch(() => ({ status: 0 }));
      if (r.status === 200) seen.ok++;
      else seen.errors++;
    }
  };
  const all = Promise.all(Array.from({ length: concurrency }, worker));
  return {
    seen,
    stop: async () => {
      running = false;
      await all;
      agent.destroy();
    },
  };
}

/** Resolves with the snapshot in which the route's `new` dial first drops below `from`. */
function dialDrop(route: string, from: number): Promise<StateSnapshot> {
  return new Promise((resolve) => {
    const off = proxy.store.subscribe((s) => {
      const d = s.dials[route];
      if (d !== undefined && d.new < from) {
        off();
        resolve(s);
      }
    });
  });
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  while (!(await probe())) await new Promise((r) => setTimeout(r, 100));
}

const guardStatus = async (route: string) => ((await json(fetch(`${proxy.admin}/guard`, { headers: adminHeaders() }))).routes as { route: string; healthyDials: number[]; verdict: { state: string } }[]).find((r) => r.route === route)!;

describe('guard: automatic rollback', () => {
  it('rolls a route back when the new service starts failing half its requests under steady load, audited by guard', async () => {
    const traffic = load('/api/orders');
    await until('a healthy window at 50%', async () => (await guardStatus('orders.get'))?.healthyDials.includes(50) ?? false);
    const dropped = dialDrop('orders.get', 50);
    const errorsBefore = traffic.seen.errors;
    mode.orders = 'half';
    const breachAt = performance.now();
    const snap = await dropped;
    const ms = performance.now() - breachAt;
    const userErrors = traffic.seen.errors - errorsBefore;
    await traffic.stop();
    const history = await json(fetch(`${proxy.admin}/routes/orders.get/history`, { headers: adminHeaders() }));
    const change = history.changes[0];
    const windowSeconds = Number(/(\d+) s after the breach began \(window clock\)/.exec(change.reason)?.[1]);
    console.log(`guard: breach → rollback in ${Math.round(ms)} ms wall clock, ${windowSeconds} s by the window clock; ${userErrors} user-visible errors meanwhile`);
    expect(snap.dials['orders.get']!.new).toBe(0);
    expect(change).toMatchObject({ who: 'guard', action: 'set', before: { new: 50 }, after: { new: 0 } });
    expect(change.reason).toMatch(/^guard on orders\.get: new's error rate [\d.]+% > 5% over the last 5 s/);
    expect(windowSeconds).toBeLessThanOrEqual(5);
    const metrics = await (await fetch(`${proxy.admin}/metrics`, { headers: adminHeaders() })).text();
    expect(metrics).toMatch(/strangler_guard_rollbacks_total\{route="orders\.get"\} 1\n/);
    // It does not raise the dial again by itself.
    expect((await json(fetch(`${proxy.admin}/routes`, { headers: adminHeaders() }))).routes[0].dial.new).toBe(0);
  });

  it('goes back to the last dial that was healthy for a full window, counting fallbacks as failures', async () => {
    const traffic = load('/api/carts');
    await until('a healthy window at 10%', async () => (await guardStatus('carts.get'))?.healthyDials.includes(10) ?? false);
    await setDial(proxy.admin, 'carts.get', { new: 30 });
    const dropped = dialDrop('carts.get', 30);
    mode.carts = 'half';
    const snap = await dropped;
    await traffic.stop();
    expect(snap.dials['carts.get']!.new).toBe(10);
    // fallback was on: users saw legacy's answers, the guard still saw new fail.
    expect(traffic.seen.errors).toBe(0);
    const history = await json(fetch(`${proxy.admin}/routes/carts.get/history`, { headers: adminHeaders() }));
    expect(history.changes[0]).toMatchObject({ who: 'guard', before: { new: 30 }, after: { new: 10 } });
  });

  it('rolls back on latency: a p95 above maxP95Ms', async () => {
    mode.slowpoke = 'slow';
    const dropped = dialDrop('slowpoke.get', 100);
    const traffic = load('/api/slowpoke', 8);
    const snap = await dropped;
    await traffic.stop();
    expect(snap.dials['slowpoke.get']!.new).toBe(0);
    const history = await json(fetch(`${proxy.admin}/routes/slowpoke.get/history`, { headers: adminHeaders() }));
    expect(history.changes[0].reason).toMatch(/new's p95 \d+ ms > 400 ms/);
  });
});
