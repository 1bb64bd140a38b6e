import { compareAnswers } from '../../../diffs/engine.js';
import { json, raw, rules } from './helpers.js';

const base = { id: 7, name: 'Ann', age: 31, tags: ['a', 'b', 'c'], address: { city: 'Oslo', zip: '0150' }, active: true };

function diff(legacy: unknown, next: unknown, r = rules(), statuses: [number, number] = [200, 200]) {
  return compareAnswers(json(legacy, statuses[0]), json(next, statuses[1]), r);
}

describe('diff engine: seeded differences', () => {
  test('equal documents (even with keys in another order) have no difference', () => {
    const reordered = { active: true, address: { zip: '0150', city: 'Oslo' }, tags: ['a', 'b', 'c'], age: 31, name: 'Ann', id: 7 };
    expect(diff(base, reordered).differences).toEqual([]);
    expect(diff(base, base).differences).toEqual([]);
  });

  test('a changed value', () => {
    expect(diff(base, { ...base, name: 'Anne' }).differences).toEqual([{ path: '/name', kind: 'changed', legacy: 'Ann', new: 'Anne' }]);
  });

  test('a missing key', () => {
    const { age: _age, ...rest } = base;
    expect(diff(base, rest).differences).toEqual([{ path: '/age', kind: 'missing', legacy: 31 }]);
  });

  test('an extra key, nested', () => {
    expect(diff(base, { ...base, address: { ...base.address, country: 'NO' } }).differences).toEqual([{ path: '/address/country', kind: 'extra', new: 'NO' }]);
  });

  test('members named like Object.prototype\'s are members like any other', () => {
    // JSON from a PHP app can hold any key; the diff library reads a key missing on one side as
    // other[name], which on a plain object is Object.prototype's (see diffs/narrow.ts).
    expect(diff({ a: 1, constructor: 'x' }, { a: 1 }).differences).toEqual([{ path: '/constructor', kind: 'missing', legacy: 'x' }]);
    expect(diff({ a: 1 }, { a: 2, toString: 'y' }).differences).toEqual([
      { path: '/a', kind: 'changed', legacy: 1, new: 2 },
      { path: '/toString', kind: 'extra', new: 'y' },
    ]);
    expect(diff({ o: { valueOf: 1, hasOwnProperty: 2 } }, { o: { valueOf: 1 } }).differences).toEqual([{ path: '/o/hasOwnProperty', kind: 'missing', legacy: 2 }]);
    // Inside a list the library matches and walks itself (lengths differ).
    expect(diff({ l: [{ id: 1, constructor: 'c' }, { id: 2 }] }, { l: [{ id: 1 }, { id: 2 }, { id: 3 }] }).differences).toEqual([
      { path: '/l/2', kind: 'extra', new: { id: 3 } },
      { path: '/l/0/constructor', kind: 'missing', legacy: 'c' },
    ]);
    expect(diff({ constructor: null, a: 1 }, { a: 1 }).differences).toEqual([]); // null vs missing, absorbed
  });

  test('a type change', () => {
    expect(diff(base, { ...base, active: 'yes' }).differences).toEqual([{ path: '/active', kind: 'type', legacy: true, new: 'yes' }]);
    expect(diff(base, { ...base, address: ['Oslo'] }).differences).toEqual([{ path: '/address', kind: 'type', legacy: base.address, new: ['Oslo'] }]);
  });

  test('a reordered array', () => {
    expect(diff(base, { ...base, tags: ['c', 'a', 'b'] }).differences).toEqual([{ path: '/tags', kind: 'order', legacy: ['a', 'b', 'c'], new: ['c', 'a', 'b'] }]);
  });

  test('array items changed, removed and added', () => {
    expect(diff({ l: [1, 2, 3] }, { l: [1, 9, 3, 4] }).differences).toEqual([
      { path: '/l/1', kind: 'changed', legacy: 2, new: 9 },
      { path: '/l/3', kind: 'extra', new: 4 },
    ]);
    expect(diff({ l: [{ a: 1 }, { a: 2 }] }, { l: [{ a: 1 }] }).differences).toEqual([{ path: '/l/1', kind: 'missing', legacy: { a: 2 } }]);
  });

  test('a status mismatch', () => {
    expect(diff(base, base, rules(), [200, 500]).differences).toEqual([{ path: '@status', kind: 'changed', legacy: 200, new: 500 }]);
  });

  test('keys with / and ~ are escaped as RFC 6901 says', () => {
    expect(diff({ 'a/b': { 'c~d': 1 } }, { 'a/b': { 'c~d': 2 } }).differences.map((d) => d.path)).toEqual(['/a~1b/c~0d']);
  });

  test('a whole-document type change is at the root path ""', () => {
    expect(diff([1], { a: 1 }).differences).toEqual([{ path: '', kind: 'type', legacy: [1], new: { a: 1 } }]);
  });
});

describe('diff engine: headers and non-JSON bodies', () => {
  test('content-type is compared by default, case and spacing aside', () => {
    const a = raw('{}', 'application/json; charset=UTF-8');
    expect(compareAnswers(a, raw('{}', 'application/json;charset=utf-8'), rules()).differences).toEqual([]);
    expect(compareAnswers(a, raw('{}', 'text/html'), rules()).differences).toEqual([
      { path: '@headers/content-type', kind: 'changed', legacy: 'application/json; charset=UTF-8', new: 'text/html' },
    ]);
  });

  test('only allow-listed headers are compared; a missing one is reported', () => {
    const a = { ...raw('x', 'text/plain'), headers: { 'content-type': 'text/plain', 'cache-control': 'no-cache', etag: '1' } };
    const b = { ...raw('x', 'text/plain'), headers: { 'content-type': 'text/plain', etag: '2' } };
    expect(compareAnswers(a, b, rules()).differences).toEqual([]);
    expect(compareAnswers(a, b, rules({ headers: ['Cache-Control'] })).differences).toEqual([{ path: '@headers/cache-control', kind: 'missing', legacy: 'no-cache' }]);
  });

  test('text is compared line by line after whitespace normalisation, each changed run of lines a difference', () => {
    expect(compareAnswers(raw('Hello\n   world \n', 'text/plain'), raw('Hello\nworld', 'text/plain'), rules()).differences).toEqual([]);
    const d = compareAnswers(raw('a\nHello world\nb\nc\nlast one', 'text/plain'), raw('a\nHello there\nb\nc\nlast two\nadded', 'text/plain'), rules()).differences;
    expect(d).toEqual([
      { path: '@body', kind: 'changed', legacy: 'Hello world', new: 'Hello there' },
      { path: '@body', kind: 'changed', legacy: 'last one', new: 'last two\nadded' },
    ]);
  });

  test('other bodies are compared by SHA-256', () => {
    const d = compareAnswers(raw(Buffer.from([1, 2, 3]), 'image/png'), raw(Buffer.from([1, 2, 4]), 'image/png'), rules()).differences;
    expect(d).toEqual([{ path: '@body', kind: 'changed', legacy: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), new: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }]);
    expect(d[0]!.legacy).not.toEqual(d[0]!.new);
    expect(compareAnswers(raw(Buffer.from([1, 2]), 'image/png'), raw(Buffer.from([1, 2]), 'image/png'), rules()).differences).toEqual([]);
  });

  test('a JSON route answered with an HTML error page is a body type difference', () => {
    const d = compareAnswers(json({ a: 1 }), { ...raw('<b>Warning</b>: mysql_connect()', 'text/html'), headers: { 'content-type': 'application/json; charset=utf-8' } }, rules()).differences;
    expect(d).toEqual([{ path: '@body', kind: 'type', legacy: '{"a":1}', new: '<b>Warning</b>: mysql_connect()' }]);
  });

  test('no body on one side (the backend did not answer): status and headers differ, bodies are not compared', () => {
    const dead = { backend: 'new' as const, status: 0, headers: {}, body: undefined, error: 'ECONNREFUSED', latencyMs: 1 };
    expect(compareAnswers(json({ a: 1 }), dead, rules()).differences).toEqual([
      { path: '@status', kind: 'changed', legacy: 200, new: 0 },
      { path: '@headers/content-type', kind: 'missing', legacy: 'application/json; charset=utf-8' },
    ]);
  });
});

describe('diff engine: rules suppress exactly what they name', () => {
  const legacy = { id: 1, lastSeen: 100, friends: [{ id: 2, online: true, name: 'Bo' }, { id: 3, online: false, name: 'Cy' }] };
  const next = { id: 1, lastSeen: 200, friends: [{ id: 2, online: false, name: 'Bo' }, { id: 3, online: true, name: 'Cyd' }] };

  test('without rules every difference is reported', () => {
    expect(diff(legacy, next).differences.map((d) => d.path).sort()).toEqual(['/friends/0/online', '/friends/1/name', '/friends/1/online', '/lastSeen']);
  });

  test('ignore with * drops the named fields and nothing else', () => {
    const d = diff(legacy, next, rules({ ignore: ['/lastSeen', '/friends/*/online'] })).differences;
    expect(d).toEqual([{ path: '/friends/1/name', kind: 'changed', legacy: 'Cy', new: 'Cyd' }]);
  });

  test('ignoring a subtree drops everything under it, even items added to an array', () => {
    expect(diff({ a: { b: [1] }, c: 1 }, { a: { b: [1, 2], x: 1 }, c: 2 }, rules({ ignore: ['/a'] })).differences.map((d) => d.path)).toEqual(['/c']);
    expect(diff({ l: [1, 2] }, { l: [1, 2, 3] }, rules({ ignore: ['/l/*'] })).differences).toEqual([]);
  });

  test('unorderedArrays compares as multisets; other arrays still report order', () => {
    const a = { tags: ['x', 'y', 'z'], ids: [1, 2] };
    const b = { tags: ['z', 'x', 'y'], ids: [2, 1] };
    expect(diff(a, b, rules({ unorderedArrays: ['/tags'] })).differences).toEqual([{ path: '/ids', kind: 'order', legacy: [1, 2], new: [2, 1] }]);
    // A multiset that differs is still reported.
    expect(diff({ tags: ['x', 'y'] }, { tags: ['y', 'y'] }, rules({ unorderedArrays: ['/tags'] })).differences).toHaveLength(1);
  });

  test('unordered arrays of objects with a wildcard path', () => {
    const a = { users: [{ roles: [{ r: 'a' }, { r: 'b' }] }] };
    const b = { users: [{ roles: [{ r: 'b' }, { r: 'a' }] }] };
    expect(diff(a, b, rules({ unorderedArrays: ['/users/*/roles'] })).differences).toEqual([]);
    expect(diff(a, b).differences.length).toBeGreaterThan(0);
  });

  test('arrayKeys matches items by key: a changed field is found on the right item', () => {
    const a = { friends: [{ id: 1, n: 'a' }, { id: 2, n: 'b' }, { id: 3, n: 'c' }] };
    const b = { friends: [{ id: 1, n: 'a' }, { id: 3, n: 'C' }] };
    expect(diff(a, b, rules({ arrayKeys: { '/friends': 'id' } })).differences).toEqual([
      { path: '/friends/1', kind: 'missing', legacy: { id: 2, n: 'b' } },
      { path: '/friends/1/n', kind: 'changed', legacy: 'c', new: 'C' },
    ]);
  });

  test('numberTolerance absorbs relative differences within it, and counts them', () => {
    const r = rules({ numberTolerance: 0.001 });
    const ok = diff({ p: 100, q: 1 }, { p: 100.05, q: 1 }, r);
    expect(ok.differences).toEqual([]);
    expect(ok.normalised.numberTolerance).toBe(1);
    expect(diff({ p: 100 }, { p: 100.2 }, r).differences).toEqual([{ path: '/p', kind: 'changed', legacy: 100, new: 100.2 }]);
    expect(diff({ p: 100 }, { p: 100.05 }).differences).toHaveLength(1);
  });
});

describe('diff engine: PHP normalisers, each switchable and counted', () => {
  const off = (name: string) => rules({ normalise: { [name]: false } });

  test('numericStrings: "42" equals 42', () => {
    const on = diff({ id: '42', price: '9.50', zip: '0150' }, { id: 42, price: 9.5, zip: 150 });
    expect(on.differences).toEqual([{ path: '/zip', kind: 'type', legacy: '0150', new: 150 }]); // a leading zero is not a number
    expect(on.normalised.numericStrings).toBe(2);
    const offd = diff({ id: '42' }, { id: 42 }, off('numericStrings'));
    expect(offd.differences).toEqual([{ path: '/id', kind: 'type', legacy: '42', new: 42 }]);
    expect(offd.normalised.numericStrings).toBe(0);
  });

  test('emptyArrayObject: [] equals {}', () => {
    const on = diff({ meta: [], list: {} }, { meta: {}, list: [] });
    expect(on.differences).toEqual([]);
    expect(on.normalised.emptyArrayObject).toBe(2);
    expect(diff({ meta: [] }, { meta: {} }, off('emptyArrayObject')).differences).toEqual([{ path: '/meta', kind: 'type', legacy: [], new: {} }]);
    // Only empty ones: a non-empty list is not a map.
    expect(diff({ meta: [1] }, { meta: { 0: 1 } }).differences).toHaveLength(1);
  });

  test('nullMissing: a null value equals a missing key, on either side', () => {
    const on = diff({ a: 1, bio: null }, { a: 1, avatar: null });
    expect(on.differences).toEqual([]);
    expect(on.normalised.nullMissing).toBe(2);
    expect(diff({ bio: null }, {}, off('nullMissing')).differences).toEqual([{ path: '/bio', kind: 'missing', legacy: null }]);
    // null vs a value is still a difference.
    expect(diff({ bio: null }, { bio: 'x' }).differences).toEqual([{ path: '/bio', kind: 'type', legacy: null, new: 'x' }]);
  });

  test('normalisers apply inside arrays and nested objects, and counts add up', () => {
    const on = diff({ items: [{ n: '1', x: null }, { n: '2', e: [] }] }, { items: [{ n: 1 }, { n: 2, e: {} }] });
    expect(on.differences).toEqual([]);
    expect(on.normalised).toEqual({ numericStrings: 2, emptyArrayObject: 1, nullMissing: 1, numberTolerance: 0 });
  });

  test('unordered arrays sort with normalisers in mind', () => {
    expect(diff({ ids: ['3', '1', '2'] }, { ids: [1, 2, 3] }, rules({ unorderedArrays: ['/ids'] })).differences).toEqual([]);
  });
});

describe('diff engine: lists of objects in another order', () => {
  test('the same rows in another order are one "order" difference at the list', () => {
    const a = { rows: [{ id: 1, n: 'a' }, { id: 2, n: 'b' }, { id: 3, n: 'c' }] };
    const b = { rows: [{ id: 3, n: 'c' }, { id: 1, n: 'a' }, { id: 2, n: 'b' }] };
    expect(diff(a, b).differences).toEqual([{ path: '/rows', kind: 'order', legacy: a.rows, new: b.rows }]);
    expect(diff(a, b, rules({ unorderedArrays: ['/rows'] })).differences).toEqual([]);
  });

  test('reordered rows that also differ by a normaliser: order reported, the normaliser absorbs the rest', () => {
    const a = { rows: [{ id: '1', tags: [] }, { id: '2', tags: [] }] };
    const b = { rows: [{ id: 2, tags: {} }, { id: 1, tags: {} }] };
    const d = diff(a, b);
    expect(d.differences.map((x) => [x.path, x.kind])).toEqual([['/rows', 'order']]);
    expect(d.normalised).toMatchObject({ numericStrings: 2, emptyArrayObject: 2 });
  });

  test('rows that differ in content are compared by position, field by field', () => {
    const a = { rows: [{ id: 1, n: 'a' }, { id: 2, n: 'b' }] };
    const b = { rows: [{ id: 1, n: 'a' }, { id: 2, n: 'B' }] };
    expect(diff(a, b).differences).toEqual([{ path: '/rows/1/n', kind: 'changed', legacy: 'b', new: 'B' }]);
  });
});
