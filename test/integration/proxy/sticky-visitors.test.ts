import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { startUpstream, type Upstream } from '../../support/http.js';
import { proxyConfig, request, startTestProxy, type TestProxy } from './setup.js';

/**
 * A socket.io-style long-polling server: a handshake hands out a session id that only this server
 * knows; a poll with an id it does not know is refused (400, as engine.io answers "Session ID unknown").
 */
function longPollServer(name: string, handshakes: { count: number }) {
  const sessions = new Set<string>();
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const sid = new URL(req.url ?? '/', 'http://x').searchParams.get('sid');
    if (sid === null) {
      handshakes.count++;
      const id = `${name}-${randomUUID()}`;
      sessions.add(id);
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(`0${JSON.stringify({ sid: id, upgrades: [] })}`);
    }
    if (!sessions.has(sid)) return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":1,"message":"Session ID unknown"}');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('6');
  };
}

const legacyHandshakes = { count: 0 };
const newHandshakes = { count: 0 };
let legacy: Upstream;
let next: Upstream;
let proxy: TestProxy;

beforeAll(async () => {
  legacy = await startUpstream(longPollServer('legacy', legacyHandshakes));
  next = await startUpstream(longPollServer('new', newHandshakes));
  proxy = await startTestProxy(
    proxyConfig(legacy.url, next.url, {
      stickiness: { header: 'x-user-id', assign: { cookie: 'strangler_vid', maxAgeDays: 30 } },
      routes: [{ name: 'socket', match: { path: '/socket.io/*' }, new: 50, fallback: false }],
    }),
  );
});

afterAll(async () => {
  await proxy?.stop(100);
  await legacy?.close();
  await next?.close();
});

/** A client's cookie jar as a browser keeps it for one site: name → value, from Set-Cookie. */
class Jar {
  readonly cookies = new Map<string, string>();
  take(headers: http.IncomingHttpHeaders): void {
    for (const c of headers['set-cookie'] ?? []) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  }
  header(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }
}

/** One long-polling session: a handshake, then `polls` polls carrying its id; true when every poll was known. */
async function session(keepCookies: boolean, polls = 5): Promise<boolean> {
  const jar = new Jar();
  const hs = await request(proxy.url, { path: '/socket.io/?EIO=4&transport=polling', headers: jar.header() });
  if (keepCookies) jar.take(hs.headers);
  const sid = (JSON.parse(hs.body.toString().slice(1)) as { sid: string }).sid;
  for (let i = 0; i < polls; i++) {
    const r = await request(proxy.url, { path: `/socket.io/?EIO=4&transport=polling&sid=${sid}`, headers: jar.header() });
    if (keepCookies) jar.take(r.headers);
    if (r.status !== 200) return false;
  }
  return true;
}

describe('stickiness.assign: visitors without an identity', () => {
  it('keeps 10 of 10 long-polling sessions at 50% across two separate servers', async () => {
    const kept = await Promise.all(Array.from({ length: 10 }, () => session(true)));
    expect(kept.filter(Boolean).length).toBe(10);
  });

  it('without the cookie, the same sessions break (what the cookie fixes)', async () => {
    const kept = await Promise.all(Array.from({ length: 10 }, () => session(false)));
    expect(kept.filter(Boolean).length).toBeLessThan(10);
  });

  it('spreads new visitors over both backends', async () => {
    legacyHandshakes.count = 0;
    newHandshakes.count = 0;
    await Promise.all(Array.from({ length: 40 }, () => request(proxy.url, { path: '/socket.io/?EIO=4&transport=polling' })));
    expect(legacyHandshakes.count + newHandshakes.count).toBe(40);
    expect(legacyHandshakes.count).toBeGreaterThan(0);
    expect(newHandshakes.count).toBeGreaterThan(0);
  });

  it('sets an opaque id once, HttpOnly and SameSite=Lax, Secure behind https', async () => {
    const first = await request(proxy.url, { path: '/socket.io/?EIO=4&transport=polling' });
    const cookie = first.headers['set-cookie']!.find((c) => c.startsWith('strangler_vid='))!;
    expect(cookie).toMatch(/^strangler_vid=[A-Za-z0-9_-]{22}; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax$/);
    const id = cookie.split(';')[0]!;
    const again = await request(proxy.url, { path: '/socket.io/?EIO=4&transport=polling', headers: { cookie: id } });
    expect(again.headers['set-cookie']).toBeUndefined();
    const secure = await request(proxy.url, { path: '/socket.io/?EIO=4&transport=polling', headers: { 'x-forwarded-proto': 'https' } });
    expect(secure.headers['set-cookie']![0]).toMatch(/; Secure$/);
    const known = await request(proxy.url, { path: '/socket.io/?EIO=4&transport=polling', headers: { 'x-user-id': 'u1' } });
    expect(known.headers['set-cookie']).toBeUndefined();
    const unmatched = await request(proxy.url, { path: '/elsewhere' });
    expect(unmatched.headers['set-cookie']).toBeUndefined();
  });
});
