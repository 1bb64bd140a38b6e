import { canonicalPath, decodeOnce, matchPathOf, normalisePath, pathOf, type PathRules } from '../../../proxy/normalise-path.js';

const REJECT: PathRules = { escapedSlashes: 'reject' };
const KEEP: PathRules = { escapedSlashes: 'keep' };
const UNESCAPE: PathRules = { escapedSlashes: 'unescape' };

/** The canonical path, or the code it is refused with. */
const canon = (path: string, rules = REJECT) => {
  const r = canonicalPath(path, rules);
  return typeof r === 'string' ? r : r.code;
};

describe('canonicalPath', () => {
  it.each([
    ['/api/users/1', '/api/users/1'],
    ['/api/../admin', '/admin'],
    ['/api/./users/../users/2', '/api/users/2'],
    ['/api/%2e%2e/admin', '/admin'],
    ['/api/%2E%2E/admin', '/admin'],
    ['/api/%252e%252e/admin', '/api/%252e%252e/admin'],
    ['//admin', '/admin'],
    ['/api//users///3', '/api/users/3'],
    ['/%61pi/users/%7e1', '/api/users/~1'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/a%20b', '/a%20b'],
    ['/api/users/', '/api/users/'],
    ['/api/users/..', '/api/'],
    ['/api/users/.', '/api/users/'],
    ['/.well-known/x', '/.well-known/x'],
    ['/', '/'],
    ['/..', 'STRANGLER_E_PROXY_PATH_CLIMB'],
    ['/../../etc/passwd', 'STRANGLER_E_PROXY_PATH_CLIMB'],
    ['/a/../../b', 'STRANGLER_E_PROXY_PATH_CLIMB'],
    ['/a/%2e%2e/%2e%2e/b', 'STRANGLER_E_PROXY_PATH_CLIMB'],
    ['/a%00b', 'STRANGLER_E_PROXY_PATH_CONTROL'],
    ['/a%0d%0aX: y', 'STRANGLER_E_PROXY_PATH_CONTROL'],
    ['/a%7f', 'STRANGLER_E_PROXY_PATH_CONTROL'],
    ['/a\x01', 'STRANGLER_E_PROXY_PATH_CONTROL'],
    ['/%zz', 'STRANGLER_E_PROXY_PATH_MALFORMED'],
    ['/a%4', 'STRANGLER_E_PROXY_PATH_MALFORMED'],
    ['/api/users/1%2f..', 'STRANGLER_E_PROXY_PATH_ESCAPED_SLASH'],
    ['/api/users/1%5c..', 'STRANGLER_E_PROXY_PATH_ESCAPED_SLASH'],
    ['/api\\..\\admin', 'STRANGLER_E_PROXY_PATH_ESCAPED_SLASH'],
  ])('%j → %s', (raw, expected) => {
    expect(canon(raw)).toBe(expected);
  });

  it('escapes raw bytes above 0x7e (node hands them over as latin1)', () => {
    expect(canon(Buffer.from('/café', 'utf8').toString('latin1'))).toBe('/caf%C3%A9');
  });

  it('keeps escaped slashes inside their segment, or turns them into separators', () => {
    expect(canon('/api/users/7%2fx', KEEP)).toBe('/api/users/7%2Fx');
    expect(canon('/api/users/1%2f..%2f..%2fadmin', KEEP)).toBe('/api/users/1%2F..%2F..%2Fadmin');
    expect(canon('/a\\b', KEEP)).toBe('/a\\b');
    expect(canon('/api/users/7%2fx', UNESCAPE)).toBe('/api/users/7/x');
    expect(canon('/api/users/1%2f..%2f..%2fadmin', UNESCAPE)).toBe('/api/admin');
    expect(canon('/api\\..\\admin', UNESCAPE)).toBe('/admin');
    expect(canon('/a%2f..%2f..%2fb', UNESCAPE)).toBe('STRANGLER_E_PROXY_PATH_CLIMB');
  });
});

describe('the path routes match', () => {
  it('is the canonical path decoded once, escaped slashes kept as text', () => {
    expect(matchPathOf('/caf%C3%A9/1')).toBe('/café/1');
    expect(matchPathOf('/api/%252e%252e')).toBe('/api/%2e%2e');
    expect(matchPathOf('/api/users/7%2Fx')).toBe('/api/users/7%2Fx');
    expect(matchPathOf('/a%20b')).toBe('/a b');
    expect(normalisePath('/api/users/1?x=1#f')).toBe('/api/users/1');
    expect(normalisePath('/x/%2e%2e/users/1?x=%2e')).toBe('/users/1');
  });

  it('decodes once only, as UTF-8', () => {
    expect(decodeOnce('%2541')).toBe('%41');
    expect(decodeOnce('a%2Fb')).toBe('a/b');
    expect(decodeOnce('%C3%28')).toBe('\ufffd(');
  });

  it('splits off the query and fragment', () => {
    expect(pathOf('/a?b#c')).toBe('/a');
    expect(pathOf('/a#c?b')).toBe('/a');
  });
});
