import { Datastore } from '@google-cloud/datastore';
import { canonicalData, canonicalEntity, canonicalValue, entityKeyString, keyString } from '../../../../migrators/mapping/canonical.js';
import { mysqlDateTimeToDate, parseMysqlDate, resolveWallClock } from '../../../../migrators/mapping/datetime.js';
import { decodeKeyName, encodeKeyName } from '../../../../migrators/keys/key-name.js';
import { firstInexactNumber, jsonToEntityValue } from '../../../../migrators/mapping/json-value.js';

const iso = (text: string, zone: string) => {
  const r = mysqlDateTimeToDate(text, zone);
  return r.kind === 'ok' ? r.date.toISOString() : r.kind;
};

describe('DATETIME in a declared zone', () => {
  test.each([
    ['2024-06-01 12:00:00', 'UTC', '2024-06-01T12:00:00.000Z'],
    ['2024-06-01 12:00:00.123456', '+05:30', '2024-06-01T06:30:00.123Z'],
    ['2024-06-01 12:00:00', '-03:00', '2024-06-01T15:00:00.000Z'],
    ['2024-01-15 12:00:00', 'Europe/Paris', '2024-01-15T11:00:00.000Z'],
    ['2024-07-15 12:00:00', 'Europe/Paris', '2024-07-15T10:00:00.000Z'],
    // spring forward: 02:30 never happened in Paris; fall back: 02:30 happened twice. Both refused.
    ['2024-03-31 02:30:00', 'Europe/Paris', 'invalid'],
    ['2024-10-27 02:30:00', 'Europe/Paris', 'invalid'],
    ['2024-11-03 01:30:00', 'America/New_York', 'invalid'],
    ['2024-03-10 02:00:00', 'America/New_York', 'invalid'],
    // the edges: the last second before a gap, the first after; the first second after an overlap
    ['2024-03-31 01:59:59', 'Europe/Paris', '2024-03-31T00:59:59.000Z'],
    ['2024-03-31 03:00:00', 'Europe/Paris', '2024-03-31T01:00:00.000Z'],
    ['2024-10-27 01:59:59', 'Europe/Paris', '2024-10-26T23:59:59.000Z'],
    ['2024-10-27 03:00:00', 'Europe/Paris', '2024-10-27T02:00:00.000Z'],
    // southern hemisphere: Sydney falls back on 2024-04-07 at 03:00 → 02:00
    ['2024-04-07 02:30:00', 'Australia/Sydney', 'invalid'],
    ['2024-10-06 02:30:00', 'Australia/Sydney', 'invalid'],
    ['2024-07-01 12:00:00', 'Australia/Sydney', '2024-07-01T02:00:00.000Z'],
    ['0099-12-31 23:59:59', 'UTC', '0099-12-31T23:59:59.000Z'],
    ['9999-12-31 23:59:59.999999', 'UTC', '9999-12-31T23:59:59.999Z'],
    ['1000-01-01', 'UTC', '1000-01-01T00:00:00.000Z'],
    ['0000-00-00 00:00:00', 'UTC', 'zero'],
    ['0000-00-00', 'UTC', 'zero'],
    ['2023-02-29 00:00:00', 'UTC', 'invalid'],
    ['2024-13-01 00:00:00', 'UTC', 'invalid'],
    ['2024-05-00', 'UTC', 'invalid'],
    ['yesterday', 'UTC', 'invalid'],
    ['2024-01-01 24:00:00', 'UTC', 'invalid'],
    ['1969-12-31 23:59:59.999', 'UTC', '1969-12-31T23:59:59.999Z'],
  ])('%s in %s → %s', (text, zone, expected) => {
    expect(iso(text, zone)).toBe(expected);
  });

  test('a refused wall-clock time says why and names both instants of an overlap', () => {
    const gap = mysqlDateTimeToDate('2024-03-31 02:30:00', 'Europe/Berlin');
    expect(gap.kind === 'invalid' && gap.reason).toMatch(/never happened in Europe\/Berlin/);
    const twice = mysqlDateTimeToDate('2024-10-27 02:30:00', 'Europe/Berlin');
    expect(twice.kind === 'invalid' && twice.reason).toMatch(/happened twice in Europe\/Berlin .*2024-10-27T00:30:00.000Z or 2024-10-27T01:30:00.000Z/);
  });

  test('resolveWallClock classifies every minute of a DST day', () => {
    const kinds = new Map<string, number>();
    for (let m = 0; m < 24 * 60; m++) {
      const r = resolveWallClock('Europe/Berlin', Date.UTC(2024, 9, 27, 0, m));
      kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    }
    expect(Object.fromEntries(kinds)).toEqual({ ok: 23 * 60, overlap: 60 });
    const spring = [...Array(24 * 60).keys()].filter((m) => resolveWallClock('Europe/Berlin', Date.UTC(2024, 2, 31, 0, m)).kind === 'gap');
    expect(spring).toHaveLength(60);
    expect(spring[0]).toBe(120);
  });

  test('parses microseconds', () => {
    expect(parseMysqlDate('2024-01-02 03:04:05.000007')).toEqual({ kind: 'ok', y: 2024, mo: 1, d: 2, h: 3, mi: 4, s: 5, micros: 7 });
  });
});

describe('composite key names', () => {
  test.each([
    [['a', 'b'], 'a:b'],
    [['a:b', 'c'], 'a\\:b:c'],
    [['a', 'b:c'], 'a:b\\:c'],
    [['back\\', 'x'], 'back\\\\:x'],
    [['', ''], ':'],
  ])('%j ⇄ %s', (parts, name) => {
    expect(encodeKeyName(parts)).toBe(name);
    expect(decodeKeyName(name)).toEqual(parts);
  });
});

describe('JSON → embedded entity or text', () => {
  test('an object becomes an entity with ints and doubles', () => {
    expect(canonicalValue(asValue('{"a": {"b": [1, 2.5, "x", null, false]}}'))).toBe('{"a"={"b"=[i:1,d:2.5,s:"x",null,false]}}');
  });
  test.each([
    ['[1, 2]', 'not a JSON object'],
    ['"text"', 'not a JSON object'],
    ['{"id": 9007199254740993}', 'number 9007199254740993 would lose digits'],
    ['{"x": 0.12345678901234567}', 'number 0.12345678901234567 would lose digits'],
    ['{"a": [[1], [2]]}', 'an array inside an array'],
    ['{"__key__": 1}', 'property name "__key__" is reserved in Datastore'],
    ['{"": 1}', 'property name "" is reserved in Datastore'],
    ['{bad json', 'not valid JSON'],
  ])('%s stays text: %s', (text, why) => {
    expect(jsonToEntityValue(text)).toEqual({ kind: 'text', why });
  });
  test('numbers inside strings do not count', () => {
    expect(firstInexactNumber('{"s": "9007199254740993 and 0.12345678901234567", "n": 1e300}')).toBeUndefined();
  });
});

function asValue(text: string): unknown {
  const r = jsonToEntityValue(text);
  if (r.kind !== 'entity') throw new Error(r.why);
  return r.value;
}

describe('canonical encoding', () => {
  test('ints, doubles, timestamps, blobs, strings, nulls are distinct', () => {
    expect([Datastore.int('3'), Datastore.double(3), 3, new Date(0), Buffer.from('hi'), 'hi', null, undefined, true, ['a'], { b: 1 }].map(canonicalValue)).toEqual([
      'i:3', 'd:3', 'd:3', 't:1970-01-01T00:00:00.000Z', 'b:aGk=', 's:"hi"', 'null', 'absent', 'true', '[s:"a"]', '{"b"=d:1}',
    ]);
  });
  test('data as written (plain integers become ints) equals the entity read back with wrapNumbers', () => {
    const written = { n: 5, x: Datastore.double(2), big: Datastore.int('9223372036854775807'), obj: { k: 1 } };
    const read = { n: Datastore.int('5'), x: 2, big: Datastore.int('9223372036854775807'), obj: { k: Datastore.int('1') } };
    expect(canonicalData(written)).toEqual(canonicalEntity(read));
  });
  test('a KeyPath and the Key of the entity read back give one key string', () => {
    const ds = new Datastore({ projectId: 'p-test' });
    const path = ['Chat', Datastore.int('9007199254740993'), 'Message', 'a:b'];
    expect(keyString(path)).toBe(entityKeyString(ds.key(path)));
    expect(keyString(['T', 'x'])).not.toBe(keyString(['T', Datastore.int('1')]));
  });
});
