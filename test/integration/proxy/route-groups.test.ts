import http from 'node:http';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { parseConfig } from '../../../config/load.js';
import { startUpstream, type Upstream } from '../../support/http.js';
import { TOKEN, json, adminHeaders, proxyConfig, request, setDial, startTestProxy, type TestProxy } from './setup.js';

let legacy: Upstream;
let next: Upstream;
let proxy: TestProxy;

beforeAll(async () => {
  legacy = await startUpstream((req, res) => (req.resume(), res.end('legacy')));
  next = await startUpstream((req, res) => (req.resume(), res.end('new')));
  proxy = await startTestProxy(
    proxyConfig(legacy.url, next.url, {
      routes: [
        { name: 'posts.write', group: 'posts', match: { method: 'POST', path: '/api/posts' }, new: 0 },
        { name: 'posts.read', group: 'posts', match: { method: 'GET', path: '/api/posts/:id' }, new: 0 },
        { name: 'feed.get', group: 'posts', match: { method: 'GET', path: '/api/feed' }, new: 0 },
        { name: 'other.get', match: { method: 'GET', path: '/api/other' }, new: 0 },
      ],
    }),
  );
});

afterAll(async () => {
  await proxy?.stop(100);
  await legacy?.close();
  await next?.close();
});

async function cli(args: string[]) {
  const io = bufferIo({ STRANGLER_ADMIN_TOKEN: TOKEN, STRANGLER_ACTOR: 'test', STRANGLER_ADMIN_URL: proxy.admin });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
afterAll(() => agent.destroy());
const users = Array.from({ length: 400 }, (_, i) => `user-${i}`);
async function onNew(method: string, path: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < users.length; i += 50) {
    const answers = await Promise.all(users.slice(i, i + 50).map((u) => request(proxy.url, { method, path, headers: { 'x-user-id': u }, agent })));
    answers.forEach((a, j) => a.body.toString() === 'new' && out.add(users[i + j]!));
  }
  return out;
}

describe('route groups', () => {
  it('a user on new for a member at dial d is on new for every member at d or above (read-your-writes)', async () => {
    await setDial(proxy.admin, 'posts.write', { new: 30 });
    await setDial(proxy.admin, 'posts.read', { new: 60 });
    await setDial(proxy.admin, 'other.get', { new: 60 });
    const writers = await onNew('POST', '/api/posts');
    const readers = await onNew('GET', '/api/posts/7');
    const others = await onNew('GET', '/api/other');
    expect(writers.size).toBeGreaterThan(60);
    expect(readers.size).toBeGreaterThan(writers.size);
    for (const u of writers) expect(readers.has(u)).toBe(true);
    // A route outside the group buckets on its own: some writers are on legacy there.
    expect([...writers].some((u) => !others.has(u))).toBe(true);
  });

  it('routes set GROUP --new N turns every member in one audited change', async () => {
    const before = (await json(fetch(`${proxy.admin}/routes`, { headers: adminHeaders() }))).version as number;
    const set = await cli(['routes', 'set', 'posts', '--new', '50']);
    expect(set.err).toBe('');
    expect(set.code).toBe(0);
    expect(set.out).toContain(`group posts: 3 route(s) changed in version ${before + 1}`);
    expect(set.out).toContain('posts.read: changed');
    const list = await json(fetch(`${proxy.admin}/routes`, { headers: adminHeaders() }));
    expect(list.version).toBe(before + 1);
    const dials = Object.fromEntries(list.routes.map((r: { name: string; dial: { new: number }; group?: string }) => [r.name, [r.dial.new, r.group]]));
    expect(dials).toEqual({ 'posts.write': [50, 'posts'], 'posts.read': [50, 'posts'], 'feed.get': [50, 'posts'], 'other.get': [60, undefined] });
    const history = await json(fetch(`${proxy.admin}/routes/feed.get/history`, { headers: adminHeaders() }));
    expect(history.changes[0]).toMatchObject({ version: before + 1, group: 'posts', who: 'test', before: { new: 0 }, after: { new: 50 } });
    const unknown = await cli(['routes', 'set', 'nogroup', '--new', '50']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('STRANGLER_E_ROUTE_UNKNOWN');
  });

  it('refuses a group named like a route', () => {
    const doc = (group: string) => JSON.stringify({ proxy: { admin: { token: TOKEN }, backends: { legacy: { url: 'http://a' }, new: { url: 'http://b' } }, routes: [{ name: 'a', group, match: { path: '/a' } }, { name: 'b', match: { path: '/b' } }] } });
    expect(() => parseConfig(doc('b'), 'x.json', {})).toThrow(/group name "b" is the name of routes\[1\]/);
    expect(parseConfig(doc('g'), 'x.json', {}).proxy!.routes[0]!.group).toBe('g');
  });
});
