import { startUpstream, type Upstream } from '../../support/http.js';
import { proxyConfig, request, setDial, startTestProxy, type TestProxy } from './setup.js';

let a: Upstream;
let b: Upstream;
let next: Upstream;
let proxy: TestProxy;
const releases: (() => void)[] = [];

beforeAll(async () => {
  const handler = (name: string) => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    if (req.url === '/slow') return void releases.push(() => res.end(`${name} slow`));
    res.end(`${name} ${req.url}`);
  };
  a = await startUpstream(handler('legacy-a'));
  b = await startUpstream(handler('legacy-b'));
  next = await startUpstream(handler('new'));
  proxy = await startTestProxy(proxyConfig(a.url, next.url, { routes: [{ name: 'r1', match: { path: '/one' }, new: 100 }] }));
});

afterAll(async () => {
  await proxy?.stop(100);
  await Promise.all([a, b, next].map((u) => u?.close()));
});

const body = async (path: string) => (await request(proxy.url, { path })).body.toString();

describe('config reload', () => {
  it('swaps the route table and backends without dropping in-flight requests', async () => {
    const inflight = request(proxy.url, { path: '/slow' });
    await new Promise((r) => setTimeout(r, 50));
    expect(releases).toHaveLength(1);

    proxy.reload(proxyConfig(b.url, next.url, { routes: [{ name: 'r2', match: { path: '/two' }, new: 100 }] }));
    expect(await body('/one')).toBe('legacy-b /one');
    expect(await body('/two')).toBe('new /two');
    expect(proxy.proxy.routes().map((r) => r.name)).toEqual(['r2']);

    // The request that began on the old table and the old legacy backend finishes there.
    releases.shift()!();
    const old = await inflight;
    expect([old.status, old.body.toString()]).toEqual([200, 'legacy-a slow']);
  });

  it('keeps runtime dials over the config dials across a reload', async () => {
    await setDial(proxy.admin, 'r2', { new: 0 });
    expect(await body('/two')).toBe('legacy-b /two');
    proxy.reload(proxyConfig(b.url, next.url, { routes: [{ name: 'r2', match: { path: '/two' }, new: 100 }, { name: 'r3', match: { path: '/three' }, new: 100 }] }));
    expect(await body('/two')).toBe('legacy-b /two');
    expect(await body('/three')).toBe('new /three');
  });
});
