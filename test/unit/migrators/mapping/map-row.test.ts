import { Datastore } from '@google-cloud/datastore';
import { canonicalData } from '../../../../migrators/mapping/canonical.js';
import { mapRow } from '../../../../migrators/mapping/map-row.js';
import type { PropertyMapping, TableMapping } from '../../../../migrators/mapping/types.js';

const prop = (column: string, type: PropertyMapping['type'], extra: Partial<PropertyMapping> = {}): PropertyMapping => ({ column, property: column, type, indexed: true, ...extra });

function mapping(properties: PropertyMapping[], extra: Partial<TableMapping> = {}): TableMapping {
  return { table: 't', kind: 'T', key: { columns: ['id'], strategy: 'id' }, properties, ...extra };
}

function fieldsOf(m: TableMapping, row: Record<string, unknown>) {
  const r = mapRow(m, row);
  if (!r.ok) throw new Error(r.reason);
  return canonicalData(r.data);
}

describe('mapRow', () => {
  test('each type converts exactly', () => {
    const m = mapping([
      prop('id', 'int'),
      prop('big', 'int'),
      prop('dec', 'decimal'),
      prop('d', 'double'),
      prop('flag', 'boolean'),
      prop('dt', 'timestamp', { timeZone: '+02:00' }),
      prop('day', 'date'),
      prop('doc', 'entity'),
      prop('text_doc', 'json'),
      prop('bin', 'blob'),
      prop('tags', 'array'),
      prop('s', 'string'),
      prop('none', 'string'),
    ]);
    expect(
      fieldsOf(m, {
        id: '9007199254740993',
        big: '-9223372036854775808',
        dec: '0.100000000000000000000000000001',
        d: 3,
        flag: 1,
        dt: '2024-01-01 00:00:00.999999',
        day: '2024-02-29',
        doc: '{"n": 1, "x": 1.5, "a": [true, null]}',
        text_doc: '{"n": 1}',
        bin: Buffer.from('ff00', 'hex'),
        tags: 'a,b',
        s: '🦊',
        none: null,
      }),
    ).toEqual({
      id: 'i:9007199254740993',
      big: 'i:-9223372036854775808',
      dec: 's:"0.100000000000000000000000000001"',
      d: 'd:3',
      flag: 'true',
      dt: 't:2023-12-31T22:00:00.999Z',
      day: 's:"2024-02-29"',
      doc: '{"a"=[true,null],"n"=i:1,"x"=d:1.5}',
      text_doc: 's:"{\\"n\\": 1}"',
      bin: 'b:/wA=',
      tags: '[s:"a",s:"b"]',
      s: 's:"🦊"',
      none: 'null',
    });
  });

  test('a key path: numeric id, parent ancestor, composite escaped name', () => {
    const child = mapRow(mapping([prop('id', 'int')], { parent: { kind: 'Chat', column: 'chat_id', strategy: 'id' } }), { id: '12', chat_id: 7 });
    expect(child.ok && child.key.map((p) => (typeof p === 'string' ? p : (p as { value: string }).value))).toEqual(['Chat', '7', 'T', '12']);
    const pair = mapRow(mapping([], { key: { columns: ['a', 'b'], strategy: 'name' } }), { a: 'x:y\\', b: 3 });
    expect(pair.ok && pair.key).toEqual(['T', 'x\\:y\\\\:3']);
    const binary = mapRow(mapping([], { key: { columns: ['uuid'], strategy: 'name' } }), { uuid: Buffer.from('00ff', 'hex') });
    expect(binary.ok && binary.key).toEqual(['T', '00ff']);
  });

  test.each([
    [{ id: '0' }, /key: 0 cannot be a Datastore id/],
    [{ id: '9223372036854775808' }, /cannot be a Datastore id/],
    [{ id: null }, /key: a key column is NULL/],
    [{ id: '1', n: '9223372036854775808' }, /column n: "9223372036854775808" is outside the int64 range/],
    [{ id: '1', n: 'abc' }, /column n: "abc" is not a whole number/],
    [{ id: '1', flag: 2 }, /column flag: 2 is not 0 or 1/],
    [{ id: '1', dt: '2024-02-30 00:00:00' }, /column dt: "2024-02-30 00:00:00" is not a calendar date/],
    [{ id: '1', dt: '2024-00-10 00:00:00' }, /zero month or day/],
  ])('%j is refused with its reason', (row, reason) => {
    const r = mapRow(mapping([prop('id', 'int'), prop('n', 'int'), prop('flag', 'boolean'), prop('dt', 'timestamp', { timeZone: 'UTC' })]), row);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
    expect(!r.ok && r.key).toBe(row.id === null ? 'NULL' : row.id);
  });

  test('zero dates become null and are counted', () => {
    const r = mapRow(mapping([prop('id', 'int'), prop('a', 'timestamp', { timeZone: 'UTC' }), prop('b', 'date'), prop('c', 'date')]), { id: 1, a: '0000-00-00 00:00:00', b: '0000-00-00', c: null });
    expect(r.ok && r.zeroDates).toBe(2);
    expect(r.ok && r.data).toEqual({ id: Datastore.int('1'), a: null, b: null, c: null });
  });

  test('index exclusions: unindexed columns, values over 1500 bytes, embedded entities all the way down', () => {
    const m = mapping([prop('id', 'int'), prop('short', 'string'), prop('quiet', 'string', { indexed: false }), prop('long', 'string'), prop('bin', 'blob'), prop('doc', 'entity', { indexed: false }), prop('tags', 'array')]);
    const r = mapRow(m, { id: 1, short: 'x', quiet: 'y', long: 'é'.repeat(751), bin: Buffer.alloc(1501), doc: '{"a":{"b":1}}', tags: `a,${'z'.repeat(1501)}` });
    expect(r.ok && r.excludeFromIndexes.sort()).toEqual(['bin', 'doc', 'doc.*', 'long', 'quiet', 'tags[]']);
    const edge = mapRow(m, { id: 1, long: 'x'.repeat(1500), doc: '[1]' });
    expect(edge.ok && edge.excludeFromIndexes).toEqual(['quiet', 'doc']);
  });

  test('a value over 1,048,487 bytes or an entity over 1 MiB is refused with its size; approxBytes counts key and properties', () => {
    const m = mapping([prop('id', 'int'), prop('a', 'blob', { indexed: false }), prop('b', 'string', { indexed: false })]);
    const small = mapRow(m, { id: 1, a: Buffer.alloc(100) });
    // key: partition 62 + 'T' 2 + id 8; id: 3 + 8; a: 2 + 100; b: 2 + null 1; + 32
    expect(small.ok && small.approxBytes).toBe(62 + 2 + 8 + 11 + 102 + 3 + 32);
    expect(mapRow(m, { id: 7, a: Buffer.alloc(1_048_380) }).ok).toBe(true);
    expect(mapRow(m, { id: 7, b: 'é'.repeat(524_244) })).toEqual({ ok: false, key: '7', reason: "property b is 1,048,488 bytes, over Datastore's limit of 1,048,487 bytes for one value" });
    expect(mapRow(m, { id: 7, a: Buffer.alloc(600_000), b: 'x'.repeat(600_000) })).toEqual({
      ok: false,
      key: '7',
      reason: expect.stringMatching(/^entity is 1,200,\d{3} bytes, over Datastore's limit of 1,048,572 bytes$/),
    });
  });

  test('a transform sees the row and the entity; its errors are reasons', () => {
    const m = mapping([prop('id', 'int'), prop('name', 'string')], {
      transformModule: './t.js',
      transform: (row, entity) => ({ ...entity, name: String(row.name).toUpperCase(), long: 'q'.repeat(2000) }),
    });
    const r = mapRow(m, { id: 1, name: 'zoë' });
    expect(r.ok && r.data.name).toBe('ZOË');
    expect(r.ok && r.excludeFromIndexes).toEqual(['long']);
    const throwing = mapRow({ ...m, transform: () => { throw new Error('boom'); } }, { id: 1, name: 'x' });
    expect(throwing).toEqual({ ok: false, key: '1', reason: 'transform ./t.js threw: boom' });
    const bad = mapRow({ ...m, transform: () => null as unknown as Record<string, unknown> }, { id: 1, name: 'x' });
    expect(!bad.ok && bad.reason).toBe('transform ./t.js returned null, not an entity object');
  });

  test('a property whose name the client cannot unindex ("." or "[") is refused only when it must be unindexed', () => {
    const m = mapping([prop('id', 'int'), prop('order.note', 'string')]);
    expect(mapRow(m, { id: 1, 'order.note': 'short' }).ok).toBe(true);
    expect(mapRow(m, { id: 1, 'order.note': 'x'.repeat(1501) })).toEqual({
      ok: false,
      key: '1',
      reason: 'property "order.note" must be unindexed, which the Datastore client cannot do for a name with "." or "[": rename the column',
    });
  });
});
