import { decodeOnce, normalisePath, pathOf, resolveDots } from '../../../proxy/normalise-path.js';

describe('normalisePath', () => {
  it.each([
    ['/api/users/1', '/api/users/1'],
    ['/api/users/1?x=1#f', '/api/users/1'],
    ['/api/../admin', '/admin'],
    ['/api/./users/../users/2', '/api/users/2'],
    ['/api/%2e%2e/admin', '/admin'],
    ['/api/%2E%2E/admin', '/admin'],
    ['/api/..%2fadmin', '/admin'],
    ['/api/%252e%252e/admin', '/api/%2e%2e/admin'],
    ['//admin', '/admin'],
    ['/api//users///3', '/api/users/3'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['/api\\..\\admin', '/admin'],
    ['/caf%C3%A9', '/café'],
    ['/api/users/', '/api/users/'],
    ['/api/users/..', '/api/'],
    ['/%zz/%4', '/%zz/%4'],
    ['/', '/'],
  ])('%s → %s', (raw, expected) => {
    expect(normalisePath(raw)).toBe(expected);
  });

  it('recovers raw UTF-8 bytes that node hands over as latin1', () => {
    const latin1 = Buffer.from('/café', 'utf8').toString('latin1');
    expect(normalisePath(latin1)).toBe('/café');
  });

  it('decodes once only', () => {
    expect(decodeOnce('%2541')).toBe('%41');
    expect(decodeOnce('a%2Fb')).toBe('a/b');
  });

  it('splits off the query and fragment', () => {
    expect(pathOf('/a?b#c')).toBe('/a');
    expect(pathOf('/a#c?b')).toBe('/a');
  });

  it('never climbs above the root', () => {
    expect(resolveDots('/../..')).toBe('/');
  });
});
