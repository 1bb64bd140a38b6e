import { buildMapping, defaultKind, refusals } from '../../../../migrators/mapping/build-mapping.js';
import type { TableFacts } from '../../../../migrators/mapping/types.js';
import { migrateSchema, type TableConfig } from '../../../../config/migrate-schema.js';
import { col, table } from './schema-builders.js';

const tableConfig = (t: Record<string, unknown>): TableConfig => migrateSchema.parse({ source: 'mysql://u@h/db', target: { projectId: 'p-test' }, tables: { x: t } }).tables.x!;

const awkward = table('awkward', [
  col('id', 'bigint(20)', { nullable: false }),
  col('ubig', 'bigint(20) unsigned'),
  col('flag', 'tinyint(1)'),
  col('level', 'tinyint(1)'),
  col('price', 'decimal(10,2)'),
  col('ratio', 'double'),
  col('at', 'datetime(6)'),
  col('ts', 'timestamp'),
  col('day', 'date'),
  col('dur', 'time'),
  col('doc', 'json'),
  col('mood', "enum('a','b')"),
  col('tags', "set('a','b')"),
  col('photo', 'blob'),
  col('uuid', 'binary(16)'),
  col('bio', 'text'),
  col('name', 'varchar(100)'),
  col('bits', 'bit(1)'),
]);

const facts: TableFacts = {
  columns: {
    id: { min: '1', max: '42' },
    ubig: { min: '0', max: '18446744073709551615' },
    flag: { min: '0', max: '1' },
    level: { min: '0', max: '5' },
    at: { zeroDates: 2, partialZeroDates: 1, subMillisecond: 3 },
    bio: { maxBytes: 3000 },
  },
  oversizedRows: 1,
};

describe('buildMapping', () => {
  test('default types from the schema and the data facts', () => {
    const { mapping } = buildMapping(awkward, undefined, { sourceTimeZone: 'Europe/Paris', facts });
    expect(mapping.kind).toBe('Awkward');
    expect(mapping.key).toEqual({ columns: ['id'], strategy: 'id' });
    expect(Object.fromEntries(mapping.properties.map((p) => [p.column, `${p.type}${p.indexed ? '' : ' unindexed'}${p.timeZone ? ` ${p.timeZone}` : ''}`]))).toEqual({
      id: 'int',
      ubig: 'string',
      flag: 'boolean',
      level: 'int',
      price: 'decimal',
      ratio: 'double',
      at: 'timestamp Europe/Paris',
      ts: 'timestamp UTC',
      day: 'date',
      dur: 'string',
      doc: 'entity unindexed',
      mood: 'string',
      tags: 'array',
      photo: 'blob unindexed',
      uuid: 'blob',
      bio: 'string unindexed',
      name: 'string',
      bits: 'boolean',
    });
  });

  test('every risk in the schema or data is reported', () => {
    const { risks } = buildMapping(awkward, undefined, { sourceTimeZone: 'Europe/Paris', facts });
    const codes = risks.map((r) => `${r.level} ${r.column ?? '-'} ${r.code}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'warning ubig unsigned-beyond-int64',
        'info level tinyint-not-boolean',
        'warning at zero-dates',
        'warning at invalid-dates',
        'warning at sub-millisecond',
        'info at dst',
        'warning bio long-value',
        'info photo long-value',
        'warning - oversized-rows',
      ]),
    );
    expect(refusals(risks)).toEqual([]);
  });

  test('without facts it says what it could not check and stays on the safe side', () => {
    const { mapping, risks } = buildMapping(awkward, undefined, { sourceTimeZone: 'UTC' });
    expect(mapping.properties.find((p) => p.column === 'flag')!.type).toBe('int');
    expect(mapping.properties.find((p) => p.column === 'ubig')!.type).toBe('int');
    expect(risks.map((r) => r.code)).toEqual(expect.arrayContaining(['tinyint-unchecked', 'unsigned-unchecked', 'int64']));
    expect(risks.map((r) => r.code)).not.toContain('dst');
  });

  test('config overrides: rename, skip, type, timezone, index, parent, updatedAt', () => {
    const config = tableConfig({
      kind: 'Thing',
      updatedAt: 'ts',
      parent: { kind: 'Owner', column: 'name' },
      columns: { bio: { index: true, rename: 'about' }, photo: { skip: true }, at: { timeZone: '+05:30' }, ts: { timeZone: 'Asia/Tokyo' }, price: { type: 'double' } },
    });
    const { mapping, risks } = buildMapping(awkward, config, { sourceTimeZone: 'UTC', facts });
    expect(mapping.kind).toBe('Thing');
    expect(mapping.updatedAt).toBe('ts');
    expect(mapping.parent).toEqual({ kind: 'Owner', column: 'name', strategy: 'name' });
    expect(mapping.properties.find((p) => p.column === 'bio')).toEqual({ column: 'bio', property: 'about', type: 'string', indexed: true });
    expect(mapping.properties.some((p) => p.column === 'photo')).toBe(false);
    expect(mapping.properties.find((p) => p.column === 'at')!.timeZone).toBe('+05:30');
    expect(mapping.properties.find((p) => p.column === 'ts')!.timeZone).toBe('UTC');
    expect(mapping.properties.find((p) => p.column === 'price')!.type).toBe('double');
    expect(risks.find((r) => r.column === 'bio' && r.code === 'long-value')!.message).toMatch(/those rows are left unindexed/);
    expect(risks.map((r) => `${r.column} ${r.code}`)).toEqual(expect.arrayContaining(['ts timezone-ignored', 'price type-override', 'name nullable-parent', 'ts updated-at-null']));
  });

  test('keys: composite names, case-insensitive collation, ids only when the data fits', () => {
    const pairs = table('user_pairs', [col('a', 'varchar(10)'), col('b', 'int(11)')], ['a', 'b']);
    const { mapping, risks } = buildMapping(pairs, undefined, { sourceTimeZone: 'UTC' });
    expect(mapping.kind).toBe('UserPair');
    expect(mapping.key).toEqual({ columns: ['a', 'b'], strategy: 'name' });
    expect(risks.map((r) => `${r.column ?? '-'} ${r.code}`)).toEqual(['- composite-key', 'a case-insensitive-key']);

    const signed = table('t', [col('id', 'int(11)')]);
    expect(buildMapping(signed, undefined, { sourceTimeZone: 'UTC', facts: { columns: { id: { min: '-5', max: '9' } } } }).mapping.key.strategy).toBe('name');
    expect(buildMapping(signed, undefined, { sourceTimeZone: 'UTC', facts: { columns: { id: { min: '1', max: '9' } } } }).mapping.key.strategy).toBe('id');
    expect(buildMapping(table('t', [col('code', 'varchar(5)', { collation: 'utf8mb4_bin' })]), undefined, { sourceTimeZone: 'UTC' }).risks).toEqual([]);
  });

  test('a table without primary key, and an unsupported column, are refused', () => {
    const { risks } = buildMapping(table('logs', [col('at', 'datetime'), col('shape', 'point')], []), undefined, { sourceTimeZone: 'UTC' });
    expect(refusals(risks).map((r) => `${r.column ?? '-'} ${r.code}`)).toEqual(['- no-primary-key', 'shape unsupported-type']);
  });

  test.each([
    ['users', 'User'],
    ['chat_messages', 'ChatMessage'],
    ['categories', 'Category'],
    ['status', 'Status'],
    ['address', 'Address'],
    ['2fa_codes', 'T2faCode'],
  ])('kind for table %s is %s', (t, kind) => {
    expect(defaultKind(t)).toBe(kind);
  });
});
