import { startUpstream, type Upstream } from '../../support/http.js';
import { proxyConfig, rawExchange, startTestProxy, type TestProxy } from './setup.js';

let legacy: Upstream;
let next: Upstream;
let proxy: TestProxy;

beforeAll(async () => {
  legacy = await startUpstream((req, res) => res.end(`legacy ${req.url}`));
  next = await startUpstream((req, res) => res.end(`new ${req.url}`));
  // Only /api/users/:id is on the new service; everything else (the admin pages too) stays on legacy.
  proxy = await startTestProxy(proxyConfig(legacy.url, next.url, { routes: [{ name: 'users', match: { method: 'GET', path: '/api/users/:id' }, new: 100 }] }));
});

afterAll(async () => {
  await proxy?.stop(100);
  await legacy?.close();
  await next?.close();
});

async function served(target: string): Promise<string> {
  const raw = await rawExchange(proxy.url, `GET ${target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
  return raw.slice(raw.indexOf('\r\n\r\n') + 4);
}

describe('path tricks', () => {
  it.each([
    ['/api/users/1/../../../admin', 'legacy /admin'],
    ['/api/users/%2e%2e/%2e%2e/admin', 'legacy /admin'],
    ['/api/users/%252e%252e', 'new /api/users/%252e%252e'], // decoded once: a user id that reads "%2e%2e", not a dot-segment
    ['//api//users//7', 'new /api/users/7'],
    ['/api/./users/7', 'new /api/users/7'],
    ['/admin/../api/users/7', 'new /api/users/7'],
    ['/api/users/7/', 'legacy /api/users/7/'], // trailingSlash: strict (the default)
  ])('%s is routed and forwarded as its canonical path (%s)', async (target, answer) => {
    expect(await served(target)).toBe(answer);
  });

  it('refuses an escaped slash by default, before anything is forwarded', async () => {
    expect(await served('/api/users/1%2f..%2f..%2f..%2fadmin')).toContain('STRANGLER_E_PROXY_PATH_ESCAPED_SLASH');
  });
});
