import { ConsoleSessions, sameSecret } from '../../../../proxy/console/sessions.js';

test('a session has its own random id and CSRF token, ends on destroy and on expiry', () => {
  let now = 0;
  const s = new ConsoleSessions(() => now);
  const a = s.create();
  const b = s.create();
  expect(a.id).not.toBe(b.id);
  expect(a.csrf).not.toBe(a.id);
  expect(s.get(a.id)).toBe(a);
  s.destroy(a.id);
  expect(s.get(a.id)).toBeUndefined();
  now += 12 * 3600_000;
  expect(s.get(b.id)).toBeUndefined();
  expect(s.get(undefined)).toBeUndefined();
});

test('sameSecret compares whole strings', () => {
  expect(sameSecret('abc', 'abc')).toBe(true);
  expect(sameSecret('abc', 'abcd')).toBe(false);
  expect(sameSecret('', 'abc')).toBe(false);
});
