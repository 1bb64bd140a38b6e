import { jsonEqual } from '../../../diffs/json-equal.js';

describe('jsonEqual: deep equality of parsed JSON', () => {
  test('key order is not significant, at any depth', () => {
    expect(jsonEqual(JSON.parse('{"a":1,"b":{"c":[1,{"d":2,"e":3}]}}'), JSON.parse('{"b":{"c":[1,{"e":3,"d":2}]},"a":1}'))).toBe(true);
  });

  test('array order, lengths, extra or missing members and types are', () => {
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual([1], [1, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(jsonEqual({ a: 1 }, { b: 1 })).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual({}, null)).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
    expect(jsonEqual({ a: null }, {})).toBe(false);
    expect(jsonEqual({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] })).toBe(false);
  });

  test('equal primitives, empty containers and null', () => {
    expect(jsonEqual(null, null)).toBe(true);
    expect(jsonEqual('x', 'x')).toBe(true);
    expect(jsonEqual([], [])).toBe(true);
    expect(jsonEqual({}, {})).toBe(true);
  });

  test('members named like methods are plain members', () => {
    const a = JSON.parse('{"valueOf":1,"toString":"x","constructor":{"a":1}}');
    expect(jsonEqual(a, JSON.parse('{"constructor":{"a":1},"toString":"x","valueOf":1}'))).toBe(true);
    expect(jsonEqual(a, JSON.parse('{"constructor":{"a":2},"toString":"x","valueOf":1}'))).toBe(false);
    expect(jsonEqual(JSON.parse('{"constructor":1}'), {})).toBe(false);
  });
});
