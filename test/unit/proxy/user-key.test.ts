import { cookieValue, keyExtractor, queryValue } from '../../../proxy/user-key.js';

describe('user key', () => {
  it('reads a cookie among others', () => {
    expect(cookieValue('a=1; session=abc; b=2', 'session')).toBe('abc');
    expect(cookieValue('session="q"', 'session')).toBe('q');
    expect(cookieValue('xsession=1', 'session')).toBeUndefined();
    expect(cookieValue(undefined, 'session')).toBeUndefined();
  });

  it('reads a query parameter, decoded', () => {
    expect(queryValue('/a?uid=j%40x.org&b=1', 'uid')).toBe('j@x.org');
    expect(queryValue('/a', 'uid')).toBeUndefined();
    expect(queryValue('/a?uid=', 'uid')).toBeUndefined();
  });

  it('takes the header, then the cookie, then the query', () => {
    const key = keyExtractor({ header: 'x-user-id', cookie: 'session', query: 'uid' });
    expect(key({ 'x-user-id': 'h', cookie: 'session=c' }, '/?uid=q')).toBe('h');
    expect(key({ cookie: 'session=c' }, '/?uid=q')).toBe('c');
    expect(key({}, '/?uid=q')).toBe('q');
    expect(key({}, '/')).toBeUndefined();
  });
});
