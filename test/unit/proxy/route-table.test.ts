import { parseConfig } from '../../../config/load.js';
import type { RouteConfig } from '../../../config/proxy-schema.js';
import { dialOf } from '../../../proxy/dials.js';
import { normalisePath } from '../../../proxy/normalise-path.js';
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

  it('gives each route its dial and finds it by name', () => {
    expect(table.byName('feed')?.dial).toEqual({ new: 0, shadow: 0, fallback: true });
    expect(table.byName('nope')).toBeUndefined();
  });
});
