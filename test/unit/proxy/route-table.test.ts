import { parseConfig } from '../../../config/load.js';
import type { RouteConfig } from '../../../config/proxy-schema.js';
import { dialOf } from '../../../proxy/dials.js';
import { normalisePath as refusable } from '../../../proxy/normalise-path.js';
import { compileRouteTable } from '../../../proxy/route-table.js';

function routes(list: unknown[]): RouteConfig[] {
  const doc = { proxy: { admin: { token: 'x'.repeat(16) }, backends: { legacy: { url: 'http://127.0.0.1:1' }, new: { url: 'http://127.0.0.1:2' } }, routes: list } };
  return [...parseConfig(JSON.stringify(doc), 't.json', {}).proxy!.routes];
}

const table = compileRouteTable(
  routes([
    { name: 'user.get', match: { method: 'GET', path: '/api/users/:id' } },
    { name: 'user.write', match: { method: ['PUT', 'PATCH'], path: '/api/users/:id' } },
    { name: 'admin', match: { path: '/admin/*' } },
    { name: 'beta', match: { method: 'GET', path: '/api/feed', headers: { 'X-Beta': '1' } } },
    { name: 'feed', match: { method: 'GET', path: '/api/feed' } },
    { name: 'tenant', match: { path: '/t/:id', host: '*.example.com' } },
    { name: 'root', match: { method: 'GET', path: '/' } },
    { name: 'any', match: { path: '/:section/about' } },
  ]),
  dialOf,
);

/** The path routes match; a refused one is a test bug here. */
function normalisePath(raw: string, escapedSlashes: 'reject' | 'keep' | 'unescape' = 'unescape'): string {
  const r = refusable(raw, { escapedSlashes });
  if (typeof r !== 'string') throw new Error(`${raw}: ${r.code}`);
  return r;
}

const m = (method: string, raw: string, headers: Record<string, string> = {}) => table.match(method, normalisePath(raw), headers)?.name;

describe('route table', () => {
  it('matches method and path, first match wins', () => {
    expect(m('GET', '/api/users/42')).toBe('user.get');
    expect(m('HEAD', '/api/users/42')).toBe('user.get');
    expect(m('PATCH', '/api/users/42')).toBe('user.write');
    expect(m('DELETE', '/api/users/42')).toBeUndefined();
    expect(m('GET', '/api/users')).toBeUndefined();
    expect(m('GET', '/api/users/42/friends')).toBeUndefined();
    expect(m('GET', '/api/users/')).toBeUndefined();
    // Literals compare whole segments, read in place: no prefix or longer segment slips through.
    expect(m('GET', '/api/userss/42')).toBeUndefined();
    expect(m('GET', '/api/user/42')).toBeUndefined();
    expect(m('GET', '/apix/users/42')).toBeUndefined();
    expect(m('GET', '/api/feed/')).toBeUndefined();
  });

  it('takes the rest of the path for a wildcard', () => {
    expect(m('POST', '/admin/a/b/c')).toBe('admin');
    expect(m('GET', '/admin')).toBe('admin');
    expect(m('GET', '/admin/')).toBe('admin');
    expect(m('GET', '/administrator')).toBeUndefined();
  });

  it('matches optional headers and hosts', () => {
    expect(m('GET', '/api/feed', { 'x-beta': '1' })).toBe('beta');
    expect(m('GET', '/api/feed')).toBe('feed');
    expect(m('GET', '/t/1', { host: 'acme.example.com:8080' })).toBe('tenant');
    expect(m('GET', '/t/1', { host: 'example.org' })).toBeUndefined();
  });

  it('matches the root and params in the first segment', () => {
    expect(m('GET', '/')).toBe('root');
    expect(m('GET', '/?q=1')).toBe('root');
    expect(m('GET', '/team/about')).toBe('any');
  });

  it('cannot be reached by path tricks the normalised path does not match', () => {
    expect(m('GET', '/api/users/../../admin/x')).toBe('admin');
    expect(m('GET', '/api/users/%2e%2e/%2e%2e/admin/x')).toBe('admin');
    expect(m('GET', '//api//users//7')).toBe('user.get');
    // Decoded once: %252e is the text "%2e", not a dot-segment.
    expect(m('GET', '/api/users/%252e%252e')).toBe('user.get');
    expect(m('GET', '/x/%252e%252e/admin/y')).toBeUndefined();
    expect(m('GET', '/api/users/1%2f..%2f..%2f..%2fadmin')).toBe('admin');
    expect(m('GET', '/api/users/1%2f..%2f..%2fadmin')).toBeUndefined(); // that is /api/admin
  });

  it('compares decoded literals', () => {
    const t = compileRouteTable(routes([{ name: 'cafe', match: { path: '/caf%C3%A9/:id' } }]), dialOf);
    expect(t.match('GET', normalisePath('/caf%c3%a9/1'), {})?.name).toBe('cafe');
    expect(t.match('GET', normalisePath(Buffer.from('/café/1').toString('latin1')), {})?.name).toBe('cafe');
  });

  it('matches a case-insensitive route in any letter case, beside case-sensitive ones', () => {
    const t = compileRouteTable(
      routes([
        { name: 'strict', match: { path: '/API/exact' } },
        { name: 'users', match: { path: '/api/Users/:id', caseInsensitive: true } },
        { name: 'other', match: { path: '/api/orders/:id' } },
      ]),
      dialOf,
    );
    expect(t.match('GET', '/API/users/Ab', {})?.name).toBe('users');
    expect(t.match('GET', '/api/USERS/7', {})?.name).toBe('users');
    expect(t.match('GET', '/API/exact', {})?.name).toBe('strict');
    expect(t.match('GET', '/api/exact', {})).toBeUndefined();
    expect(t.match('GET', '/api/ORDERS/7', {})).toBeUndefined();
    expect(t.match('GET', '/api/users/7/x', {})).toBeUndefined();
  });

  it('matches with or without a trailing slash when trailingSlash is either', () => {
    const t = compileRouteTable(
      routes([
        { name: 'either', match: { path: '/api/users/:id', trailingSlash: 'either' } },
        { name: 'list', match: { path: '/api/users/', trailingSlash: 'either' } },
        { name: 'strict', match: { path: '/api/orders/:id' } },
      ]),
      dialOf,
    );
    expect(t.match('GET', '/api/users/7', {})?.name).toBe('either');
    expect(t.match('GET', '/api/users/7/', {})?.name).toBe('either');
    expect(t.match('GET', '/api/users', {})?.name).toBe('list');
    expect(t.match('GET', '/api/users/', {})?.name).toBe('list');
    expect(t.match('GET', '/api/users/7/x', {})).toBeUndefined();
    expect(t.match('GET', '/api/orders/7', {})?.name).toBe('strict');
    expect(t.match('GET', '/api/orders/7/', {})).toBeUndefined();
  });

  it('gives each route its dial and finds it by name', () => {
    expect(table.byName('feed')?.dial).toEqual({ new: 0, shadow: 0, fallback: true });
    expect(table.byName('nope')).toBeUndefined();
  });

  it('answers as a first-match scan of every route would, whatever the index narrows to', () => {
    // Routes and paths from a small alphabet, so that literals, params and wildcards collide at every
    // position; the reference compares the path's parts with each pattern in config order.
    // mulberry32: small, seeded, and its outputs spread over all their bits.
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
    };
    const words = ['api', 'users', 'v1', 'x'];
    for (let table = 0; table < 30; table++) {
      const patterns = Array.from({ length: 12 }, () => {
        const n = 1 + rnd(4);
        const segs = Array.from({ length: n }, (_, i) => (rnd(4) === 0 ? `:p${i}` : i === n - 1 && rnd(4) === 0 ? '*' : words[rnd(words.length)]!));
        return '/' + segs.join('/');
      });
      const list = patterns.map((path, i) => ({ name: `r${i}`, match: { path } }));
      const t = compileRouteTable(routes(list), dialOf);
      const reference = (path: string): string | undefined => {
        const parts = path === '/' ? [] : path.slice(1).split('/');
        return list.find(({ match }) => {
          const segs = match.path.slice(1).split('/');
          for (let i = 0; i < segs.length; i++) {
            if (segs[i] === '*') return true;
            if (i >= parts.length) return false;
            if (segs[i]!.startsWith(':') ? parts[i] === '' : segs[i] !== parts[i]) return false;
          }
          return segs.length === parts.length;
        })?.name;
      };
      for (let k = 0; k < 300; k++) {
        const n = rnd(5);
        const path = '/' + Array.from({ length: n }, () => [...words, 'zzz'][rnd(5)]).join('/') + (n > 0 && rnd(5) === 0 ? '/' : '');
        expect([patterns, path, t.match('GET', path, {})?.name]).toEqual([patterns, path, reference(path)]);
      }
    }
  });

  it('stays correct past the bound of its two-level index', () => {
    // 400 first literals, and 400 routes with a param first and a literal second: pairs beyond the bound.
    const list = [
      ...Array.from({ length: 400 }, (_, i) => ({ name: `a${i}`, match: { path: `/a${i}/items` } })),
      ...Array.from({ length: 400 }, (_, i) => ({ name: `b${i}`, match: { path: `/:any/b${i}` } })),
    ];
    const t = compileRouteTable(routes(list), dialOf);
    expect(t.match('GET', '/a17/items', {})?.name).toBe('a17');
    expect(t.match('GET', '/a17/b300', {})?.name).toBe('b300');
    expect(t.match('GET', '/zzz/b5', {})?.name).toBe('b5');
    expect(t.match('GET', '/a17/nope', {})).toBeUndefined();
  });
});
