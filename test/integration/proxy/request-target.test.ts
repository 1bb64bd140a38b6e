import express from 'express';
import { startUpstream, type Upstream } from '../../support/http.js';
import { parseRaw, spawnFrontDoor, type SpawnedProxy } from './front-door-setup.js';
import { proxyConfig, rawExchange, startTestProxy, type TestProxy } from './setup.js';

/**
 * The hostile request targets of issue "the front door", sent over a raw socket to a real proxy
 * process in front of two Express apps with the same handlers. For each one: the route the proxy
 * chose (only users.get sends to new), the bytes the backend saw, and the handler Express ran with
 * them. The proxy's decision and the backend's must always agree: a request reaches new exactly when
 * the users handler runs there, and no request that matched users.get runs another handler.
 */
interface Seen {
  backend: 'legacy' | 'new';
  handler: 'users' | 'internal' | 'other';
  url: string;
  host: string;
}

function app(backend: Seen['backend']): express.Express {
  const a = express();
  const seen = (handler: Seen['handler']) => (req: express.Request, res: express.Response) => res.json({ backend, handler, url: req.originalUrl, host: req.headers.host ?? '' } satisfies Seen);
  a.get('/api/users/:id', seen('users'));
  a.get('/api/internal/*rest', seen('internal'));
  a.use(seen('other'));
  return a;
}

let legacy: Upstream;
let next: Upstream;
/** The default mode in a real `strangler proxy start` process; the two options on in-process proxies (the same listener code, cheaper to start on a busy machine). */
let spawned: SpawnedProxy;
const inProcess: Partial<Record<'keep' | 'unescape', TestProxy>> = {};
type Mode = 'reject' | 'keep' | 'unescape';

const USERS = { name: 'users.get', match: { method: 'GET', path: '/api/users/:id', caseInsensitive: true, trailingSlash: 'either' }, new: 100, fallback: false };

beforeAll(async () => {
  legacy = await startUpstream(app('legacy'));
  next = await startUpstream(app('new'));
  spawned = await spawnFrontDoor(legacy.url, next.url, `  routes:\n    - ${JSON.stringify(USERS)}`);
  for (const mode of ['keep', 'unescape'] as const) {
    inProcess[mode] = await startTestProxy(proxyConfig(legacy.url, next.url, { paths: { escapedSlashes: mode }, routes: [USERS] }));
  }
}, 240_000);

afterAll(async () => {
  await spawned?.stop();
  for (const p of Object.values(inProcess)) await p?.stop(100);
  await legacy?.close();
  await next?.close();
});

async function send(mode: Mode, target: string, host = 'shop.example'): Promise<{ status: number; code?: string; seen?: Seen }> {
  const raw = await rawExchange(mode === 'reject' ? spawned.url : inProcess[mode]!.url, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  const a = parseRaw(raw);
  if (a.status !== 200) return { status: a.status, code: a.headers['x-strangler-error'] };
  return { status: 200, seen: JSON.parse(a.body) as Seen };
}

type Expect = [backend: Seen['backend'], handler: Seen['handler'], url: string] | [status: 400, code: string];

// [target, with escapedSlashes: reject (the default), keep, unescape]
const TABLE: [string, Expect, Expect?, Expect?][] = [
  // 1. route bypass: the raw bytes used to reach /api/internal/* on new through users.get
  ['/api/internal/dump/../../../api/users/7', ['new', 'users', '/api/users/7']],
  ['/api/internal/dump/%2e%2e/%2E%2E/%2e%2e/api/users/7', ['new', 'users', '/api/users/7']],
  ['/api/internal/dump/..%2F..%2F..%2Fapi/users/7', [400, 'STRANGLER_E_PROXY_PATH_ESCAPED_SLASH'], ['legacy', 'internal', '/api/internal/dump/..%2F..%2F..%2Fapi/users/7'], ['new', 'users', '/api/users/7']],
  ['/api/users/7/../../internal/dump', ['legacy', 'internal', '/api/internal/dump']],
  ['/api/users/1%2f..%2f..%2finternal%2fdump', [400, 'STRANGLER_E_PROXY_PATH_ESCAPED_SLASH'], ['new', 'users', '/api/users/1%2F..%2F..%2Finternal%2Fdump'], ['legacy', 'internal', '/api/internal/dump']],
  ['/api\\users\\7', [400, 'STRANGLER_E_PROXY_PATH_ESCAPED_SLASH'], ['legacy', 'other', '/api\\users\\7'], ['new', 'users', '/api/users/7']],
  // 2. the reverse: forms Express takes for /api/users/:id must not stay on legacy
  ['/api/users/7/', ['new', 'users', '/api/users/7/']],
  ['/API/Users/7', ['new', 'users', '/API/Users/7']],
  ['/api/users/7%2Fx', [400, 'STRANGLER_E_PROXY_PATH_ESCAPED_SLASH'], ['new', 'users', '/api/users/7%2Fx'], ['legacy', 'other', '/api/users/7/x']],
  ['//api//users//7', ['new', 'users', '/api/users/7']],
  ['/api/./users/%37', ['new', 'users', '/api/users/7']],
  ['/api/users/7?next=/api/internal/%2e%2e', ['new', 'users', '/api/users/7?next=/api/internal/%2e%2e']],
  ['/api/users/%252e%252e', ['new', 'users', '/api/users/%252e%252e']],
  ['/api/users/caf%c3%a9', ['new', 'users', '/api/users/caf%C3%A9']],
  ['/api/internal/dump', ['legacy', 'internal', '/api/internal/dump']],
  // refused outright, whatever the mode
  ['/../etc/passwd', [400, 'STRANGLER_E_PROXY_PATH_CLIMB']],
  ['/api/%2e%2e/%2e%2e/%2e%2e/etc/passwd', [400, 'STRANGLER_E_PROXY_PATH_CLIMB']],
  ['/api/users/7%00', [400, 'STRANGLER_E_PROXY_PATH_CONTROL']],
  ['/api/users/7%0d%0aX-Injected:%201', [400, 'STRANGLER_E_PROXY_PATH_CONTROL']],
  ['/api/users/%zz', [400, 'STRANGLER_E_PROXY_PATH_MALFORMED']],
  ['ftp://evil/api/users/7', [400, 'STRANGLER_E_PROXY_PATH_MALFORMED']],
  ['http://user@evil/api/users/7', [400, 'STRANGLER_E_PROXY_PATH_MALFORMED']],
];

describe('one canonical request target: the route matched is the request forwarded', () => {
  const cases = TABLE.flatMap(([target, reject, keep, unescape]) => [
    ['reject', target, reject] as const,
    ['keep', target, keep ?? reject] as const,
    ['unescape', target, unescape ?? reject] as const,
  ]);

  it.each(cases)('escapedSlashes %s: %s', async (mode, target, expected) => {
    const got = await send(mode, target);
    if (expected[0] === 400) {
      expect(got).toEqual({ status: 400, code: expected[1] });
      return;
    }
    const [backend, handler, url] = expected;
    expect(got.seen).toEqual({ backend, handler, url, host: 'shop.example' });
    // The agreement itself: on new (users.get matched) exactly when Express ran the users handler.
    expect(got.seen!.backend === 'new').toBe(got.seen!.handler === 'users');
  });

  it('matches and forwards an absolute-form target by its path, with Host from the target (RFC 9112 §3.2.2)', async () => {
    const got = await send('reject', 'http://Evil.Example:8080/api/users/7?x=1', 'shop.example');
    expect(got.seen).toEqual({ backend: 'new', handler: 'users', url: '/api/users/7?x=1', host: 'evil.example:8080' });
    const other = await send('reject', 'http://evil/api/internal/../users/8');
    expect(other.seen).toEqual({ backend: 'new', handler: 'users', url: '/api/users/8', host: 'evil' });
  });

  it('keeps a plain path, its query and its fragment-free form as they came', async () => {
    expect((await send('reject', '/api/users/7?a=1&b=%2F')).seen).toEqual({ backend: 'new', handler: 'users', url: '/api/users/7?a=1&b=%2F', host: 'shop.example' });
    expect((await send('reject', '/api/orders/7')).seen).toEqual({ backend: 'legacy', handler: 'other', url: '/api/orders/7', host: 'shop.example' });
  });
});
