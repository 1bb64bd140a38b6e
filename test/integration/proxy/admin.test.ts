import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStateStore } from '../../../proxy/state/file-store.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { TOKEN, adminHeaders, json, proxyConfig, request, setDial, startLoad, startTestProxy, type TestProxy } from './setup.js';

let legacy: Upstream;
let next: Upstream;
let proxy: TestProxy;

beforeAll(async () => {
  legacy = await startUpstream((req, res) => res.end(`legacy ${req.url}`));
  next = await startUpstream((_req, res) => res.end('new'));
  proxy = await startTestProxy(
    proxyConfig(legacy.url, next.url, {
      routes: [
        { name: 'profile.get', match: { method: 'GET', path: '/api/users/:id' }, new: 0 },
        { name: 'flip', match: { method: 'GET', path: '/flip' }, new: 0 },
      ],
    }),
  );
});

afterAll(async () => {
  await proxy?.stop(100);
  await legacy?.close();
  await next?.close();
});

describe('admin API', () => {
  it('refuses a missing or wrong token with 401 and a code', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }, { authorization: TOKEN }] as Record<string, string>[]) {
      const r = await fetch(`${proxy.admin}/routes`, { headers });
      expect(r.status).toBe(401);
      expect(r.headers.get('x-strangler-error')).toBe('STRANGLER_E_ADMIN_AUTH');
      expect((await json(r)).error.code).toBe('STRANGLER_E_ADMIN_AUTH');
    }
    const patch = await fetch(`${proxy.admin}/routes/flip`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"new":100}' });
    expect(patch.status).toBe(401);
    expect((await request(proxy.url, { path: '/flip' })).body.toString()).toBe('legacy /flip');
  });

  it('is not served on the public listener', async () => {
    for (const path of ['/routes', '/metrics', '/healthz']) {
      const r = await request(proxy.url, { path, headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.body.toString()).toBe(`legacy ${path}`);
    }
  });

  it('lists routes, changes a dial, shows history and rolls back', async () => {
    const list = await json(fetch(`${proxy.admin}/routes`, { headers: adminHeaders() }));
    expect(list.routes.map((r: { name: string }) => r.name)).toEqual(['profile.get', 'flip']);
    expect(list.routes[0]).toMatchObject({ methods: ['GET'], path: '/api/users/:id', dial: { new: 0, shadow: 0, fallback: true }, source: 'config' });

    const change = await setDial(proxy.admin, 'profile.get', { new: 100, shadow: 5, who: 'ops@example' });
    expect(change).toMatchObject({ route: 'profile.get', who: 'ops@example', before: { new: 0 }, after: { new: 100, shadow: 5, fallback: true } });
    expect((await request(proxy.url, { path: '/api/users/1' })).body.toString()).toBe('new');

    const history = await json(fetch(`${proxy.admin}/routes/profile.get/history`, { headers: adminHeaders() }));
    expect(history.changes[0]).toMatchObject({ who: 'ops@example', action: 'set' });

    const rb = await fetch(`${proxy.admin}/routes/profile.get/rollback`, { method: 'POST', headers: adminHeaders({ 'x-strangler-actor': 'oncall' }) });
    expect(rb.status).toBe(200);
    expect(await json(rb)).toMatchObject({ action: 'rollback', who: 'oncall', after: { new: 0, shadow: 0 } });
    expect((await request(proxy.url, { path: '/api/users/1' })).body.toString()).toBe('legacy /api/users/1');

    const none = await fetch(`${proxy.admin}/routes/profile.get/rollback`, { method: 'POST', headers: adminHeaders() });
    expect([none.status, (await json(none)).error.code]).toEqual([409, 'STRANGLER_E_ROLLBACK_NONE']);
  });

  it('rejects bad dial changes and unknown routes, changing nothing', async () => {
    const before = await json(fetch(`${proxy.admin}/routes`, { headers: adminHeaders() }));
    for (const body of ['{"new":150}', '{"new":"ten"}', '{"new":12.345}', '{}', '{"nww":1}', 'not json', '{"fallback":"yes"}']) {
      const r = await fetch(`${proxy.admin}/routes/flip`, { method: 'PATCH', headers: adminHeaders(), body });
      expect({ body, status: r.status, code: (await json(r)).error.code }).toEqual({ body, status: 400, code: 'STRANGLER_E_DIAL_INVALID' });
    }
    const unknown = await fetch(`${proxy.admin}/routes/nope`, { method: 'PATCH', headers: adminHeaders(), body: '{"new":1}' });
    expect([unknown.status, (await json(unknown)).error.code]).toEqual([404, 'STRANGLER_E_ROUTE_UNKNOWN']);
    const path = await fetch(`${proxy.admin}/rutes`, { headers: adminHeaders() });
    expect([path.status, (await json(path)).error.code]).toEqual([404, 'STRANGLER_E_ADMIN_NOT_FOUND']);
    const after = await json(fetch(`${proxy.admin}/routes`, { headers: adminHeaders() }));
    expect(after).toEqual(before);
  });

  it('serves health without a token and Prometheus metrics with one', async () => {
    const h = await fetch(`${proxy.admin}/healthz`);
    expect(h.status).toBe(200);
    expect((await json(h)).ok).toBe(true);
    await request(proxy.url, { path: '/api/users/9' });
    const m = await fetch(`${proxy.admin}/metrics`, { headers: adminHeaders() });
    expect(m.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await m.text();
    expect(text).toMatch(/strangler_proxy_responses_total\{route="profile.get",backend="legacy",class="2xx"\} \d+/);
    expect(text).toMatch(/strangler_proxy_request_duration_seconds_bucket\{route="profile.get",backend="legacy",le="\+Inf"\} \d+/);
    expect(text).toMatch(/strangler_route_dial\{route="flip",dial="new"\} 0/);
    expect(text).toMatch(/strangler_process_resident_memory_bytes/);
  });

  async function flipUnderLoad(target: TestProxy, changes: number): Promise<void> {
    const load = startLoad(target.url, '/flip', 4);
    let mismatches = 0;
    for (let i = 0; i < changes; i++) {
      const pct = i % 2 === 0 ? 100 : 0;
      await setDial(target.admin, 'flip', { new: pct });
      const body = (await request(target.url, { path: '/flip' })).body.toString();
      if (body !== (pct === 100 ? 'new' : 'legacy /flip')) mismatches++;
    }
    const result = await load.stop();
    expect(mismatches).toBe(0);
    expect(result.failures).toEqual([]);
    expect(result.requests).toBeGreaterThan(changes / 10);
  }

  it('applies 1,000 dial changes under load with zero client errors, each visible to the next request', async () => {
    const before = (await json(fetch(`${proxy.admin}/routes`, { headers: adminHeaders() }))).version;
    await flipUnderLoad(proxy, 1000);
    expect((await json(fetch(`${proxy.admin}/routes`, { headers: adminHeaders() }))).version).toBe(before + 1000);
  }, 60_000);

  it('shares dials between proxies on one state file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-shared-'));
    const file = path.join(dir, 'routes.json');
    const config = proxyConfig(legacy.url, next.url, { routes: [{ name: 'flip', match: { method: 'GET', path: '/flip' }, new: 0 }] });
    const [storeA, storeB] = [new FileStateStore(file), new FileStateStore(file)];
    const a = await startTestProxy(config, storeA);
    const b = await startTestProxy(config, storeB);
    try {
      await setDial(a.admin, 'flip', { new: 100 });
      const deadline = Date.now() + 5000;
      while ((await request(b.url, { path: '/flip' })).body.toString() !== 'new' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect((await request(b.url, { path: '/flip' })).body.toString()).toBe('new');
      const viaB = await json(fetch(`${b.admin}/routes`, { headers: adminHeaders() }));
      expect(viaB.routes[0]).toMatchObject({ dial: { new: 100 }, source: 'runtime' });
      // A rollback through B restores A's routing too.
      await fetch(`${b.admin}/routes/flip/rollback`, { method: 'POST', headers: adminHeaders() });
      expect((await request(b.url, { path: '/flip' })).body.toString()).toBe('legacy /flip');
      const until = Date.now() + 5000;
      while ((await request(a.url, { path: '/flip' })).body.toString() !== 'legacy /flip' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect((await request(a.url, { path: '/flip' })).body.toString()).toBe('legacy /flip');
    } finally {
      await Promise.all([a.stop(100), b.stop(100)]);
      await Promise.all([storeA.close(), storeB.close()]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does the same on the file store, where every change is an atomic, fsynced write', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strangler-dials-'));
    const store = new FileStateStore(path.join(dir, 'routes.json'));
    const filed = await startTestProxy(proxyConfig(legacy.url, next.url, { routes: [{ name: 'flip', match: { method: 'GET', path: '/flip' }, new: 0 }] }), store);
    try {
      await flipUnderLoad(filed, 100);
    } finally {
      await filed.stop(100);
      await store.close();
    }
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'routes.json'), 'utf8'));
    expect([state.version, state.history.length, state.dials.flip.new]).toEqual([100, 100, 0]);
    expect(fs.readdirSync(dir)).toEqual(['routes.json']);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
