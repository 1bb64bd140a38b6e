import http from 'node:http';
import { startUpstream, type Upstream } from '../../support/http.js';
import { proxyConfig, request, setDial, startLoad, startTestProxy, type TestProxy } from './setup.js';

let legacy: Upstream;
let next: Upstream;
let proxy: TestProxy;
/** The same routes with a 200 ms timeout on new, for the fallback tests (kept apart from the sticky
 * ones: on a loaded machine a 200 ms timeout would make some sticky requests fall back to legacy). */
let fbProxy: TestProxy;
let newMode: 'ok' | '503' | 'slow' = 'ok';
/** The request bodies each backend received, in order. */
const bodies: { legacy: string[]; new: string[] } = { legacy: [], new: [] };

function collect(req: http.IncomingMessage, into: string[], then: () => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    into.push(Buffer.concat(chunks).toString());
    then();
  });
}

beforeAll(async () => {
  legacy = await startUpstream((req, res) => collect(req, bodies.legacy, () => res.end('legacy')));
  next = await startUpstream((req, res) => {
    if (newMode === '503') return void collect(req, bodies.new, () => res.writeHead(503, { 'retry-after': '1' }).end('new is down'));
    if (newMode === 'slow') return void (req.resume(), setTimeout(() => res.end('new (late)'), 1000).unref());
    collect(req, bodies.new, () => res.end('new'));
  });
  const cfg = proxyConfig(legacy.url, next.url, {
    stickiness: { header: 'x-user-id', cookie: 'session', query: 'uid' },
    routes: [
      // No fallback here: a sticky request must be answered by its own backend, or fail loudly.
      { name: 'profile.get', match: { method: 'GET', path: '/api/users/:id' }, new: 25, fallback: false },
      { name: 'profile.write', match: { method: ['POST', 'GET', 'PUT', 'DELETE'], path: '/api/write/:id' }, new: 100 },
      { name: 'nofallback', match: { path: '/api/strict' }, new: 100, fallback: false },
    ],
  });
  proxy = await startTestProxy(cfg);
  fbProxy = await startTestProxy({ ...cfg, backends: { legacy: cfg.backends.legacy, new: { ...cfg.backends.new, timeoutMs: 200 } }, fallback: { maxBodyBytes: 1024 } });
});

afterAll(async () => {
  await proxy?.stop(100);
  await fbProxy?.stop(100);
  await legacy?.close();
  await next?.close();
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
afterAll(() => agent.destroy());

async function served(path: string, headers: http.OutgoingHttpHeaders = {}, via: TestProxy = proxy): Promise<string> {
  const r = await request(via.url, { path, headers, agent });
  return r.body.toString();
}

async function inBatches<T>(n: number, each: (i: number) => Promise<T>, concurrency = 16): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await each(i);
      }
    }),
  );
  return out;
}

describe('sticky canary', () => {
  it('sends the same user to the same backend over 10,000 requests', async () => {
    const keys = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
    const answers = await inBatches(10_000, (i) => served(`/api/users/${i}`, { 'x-user-id': keys[i % keys.length]! }));
    for (const [k, key] of keys.entries()) {
      const mine = new Set(answers.filter((_, i) => i % keys.length === k));
      expect({ key, backends: mine.size }).toEqual({ key, backends: 1 });
    }
  }, 60_000);

  it('takes the key from the header, the cookie or the query, and keeps the share near the dial', async () => {
    const n = 2000;
    const viaHeader = await inBatches(n, (i) => served('/api/users/1', { 'x-user-id': `user-${i}` }));
    const viaCookie = await inBatches(n, (i) => served('/api/users/1', { cookie: `theme=x; session=user-${i}` }));
    const viaQuery = await inBatches(n, (i) => served(`/api/users/1?uid=user-${i}`));
    expect(viaCookie).toEqual(viaHeader);
    expect(viaQuery).toEqual(viaHeader);
    const share = viaHeader.filter((b) => b === 'new').length / n;
    expect(Math.abs(share - 0.25)).toBeLessThan(0.035);
  }, 60_000);

  it('raising the dial 10% → 30% moves no user from new back to legacy', async () => {
    const users = Array.from({ length: 1000 }, (_, i) => `u${i}`);
    await setDial(proxy.admin, 'profile.get', { new: 10 });
    const at10 = await inBatches(users.length, (i) => served('/api/users/1', { 'x-user-id': users[i]! }));
    await setDial(proxy.admin, 'profile.get', { new: 30 });
    const at30 = await inBatches(users.length, (i) => served('/api/users/1', { 'x-user-id': users[i]! }));
    const movedBack = users.filter((_, i) => at10[i] === 'new' && at30[i] !== 'new');
    expect(at10.filter((b) => b === 'new').length).toBeGreaterThan(50);
    expect(movedBack).toEqual([]);
    expect(at30.filter((b) => b === 'new').length).toBeGreaterThan(at10.filter((b) => b === 'new').length);
  }, 60_000);
});

describe('fallback', () => {
  afterEach(() => {
    newMode = 'ok';
  });

  it('answers GETs from legacy when the new service answers 5xx or too slowly', async () => {
    newMode = '503';
    expect(await served('/api/write/1', {}, fbProxy)).toBe('legacy');
    newMode = 'slow';
    // Answered by legacy: the fallback fired (the slow new service would have answered later).
    expect(await served('/api/write/2', {}, fbProxy)).toBe('legacy');
    const metrics = await fbProxy.proxy.metrics.text();
    expect(metrics).toMatch(/strangler_proxy_fallbacks_total\{route="profile.write",reason="5xx"\} [1-9]/);
    expect(metrics).toMatch(/strangler_proxy_fallbacks_total\{route="profile.write",reason="timeout"\} [1-9]/);
  });

  it('never replays a POST, nor a route with fallback off', async () => {
    newMode = '503';
    const post = await request(fbProxy.url, { method: 'POST', path: '/api/write/1', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect([post.status, post.body.toString()]).toEqual([503, 'new is down']);
    const strict = await request(fbProxy.url, { path: '/api/strict' });
    expect(strict.status).toBe(503);
  });

  it('a PUT with a body up to fallback.maxBodyBytes falls back with the same bytes; a larger or chunked one is not replayed', async () => {
    const form = 'a[]=1&a[]=2&b[c][d]=x';
    const put = (body: string | Buffer, headers: http.OutgoingHttpHeaders = {}) => request(fbProxy.url, { method: 'PUT', path: '/api/write/3', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    // new answers: the body read whole first reaches it intact.
    bodies.new.length = 0;
    expect((await put(form)).body.toString()).toBe('new');
    expect(bodies.new).toEqual([form]);
    newMode = '503';
    bodies.legacy.length = 0;
    bodies.new.length = 0;
    const r = await put(form);
    expect([r.status, r.body.toString()]).toEqual([200, 'legacy']);
    expect(bodies).toEqual({ new: [form], legacy: [form] });
    // Over the bound, or with no declared length, it streams through once: new's 503 is the answer.
    const big = Buffer.alloc(2000, 'x');
    expect((await put(big)).status).toBe(503);
    expect((await put(form, { 'transfer-encoding': 'chunked' })).status).toBe(503);
    expect(bodies.legacy).toEqual([form]);
    // A DELETE without a body falls back as before.
    const del = await request(fbProxy.url, { method: 'DELETE', path: '/api/write/3' });
    expect(del.body.toString()).toBe('legacy');
  });

  it('with new at 100% and the new backend killed, every GET is answered 200 by legacy', async () => {
    const load = startLoad(fbProxy.url, '/api/write/7', 4);
    await new Promise((r) => setTimeout(r, 150));
    await next.close(); // killed mid-traffic: in-flight and later requests alike
    await new Promise((r) => setTimeout(r, 300));
    const result = await load.stop();
    expect(result.requests).toBeGreaterThan(20);
    expect(result.failures).toEqual([]);
    expect(await served('/api/write/8', {}, fbProxy)).toBe('legacy');
    expect(await fbProxy.proxy.metrics.text()).toMatch(/strangler_proxy_fallbacks_total\{route="profile.write",reason="connect"\} [1-9]/);
  });
});
