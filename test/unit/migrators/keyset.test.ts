import { keysetQuery } from '../../../migrators/mysql/keyset.js';
import { loadKey, showKey, storeKey } from '../../../migrators/keys/stored-key.js';

const id = [{ name: 'id', integer: true }];
const pair = [
  { name: 'a', integer: true },
  { name: 'b', integer: false },
];

describe('keyset queries', () => {
  test('first chunk: no condition, ordered by the key, limited', () => {
    expect(keysetQuery({ table: 'users', key: id, after: null, limit: 500 })).toEqual({ sql: 'SELECT * FROM `users` WHERE 1=1 ORDER BY `id` LIMIT 500', params: [] });
  });
  test('next chunk of an integer key binds the last key as an exact integer, never OFFSET', () => {
    const q = keysetQuery({ table: 'users', key: id, after: ['9223372036854775807'], limit: 10 });
    expect(q.sql).toBe('SELECT * FROM `users` WHERE `id` > ? ORDER BY `id` LIMIT 10');
    expect(q.params).toEqual([9223372036854775807n]);
    expect(q.sql).not.toMatch(/OFFSET/i);
  });
  test('composite keys use row-value comparison, with the first column as an index range', () => {
    const q = keysetQuery({ table: 'pairs', key: pair, after: ['7', 'x'], limit: 10 });
    expect(q.sql).toBe('SELECT * FROM `pairs` WHERE `a` >= ? AND (`a`, `b`) > (?, ?) ORDER BY `a`, `b` LIMIT 10');
    expect(q.params).toEqual([7n, 7n, 'x']);
  });
  test('shard range, upper bound and an extra condition combine', () => {
    const q = keysetQuery({ table: 't', key: id, after: null, range: { from: '10', to: '20' }, upTo: ['15'], where: { sql: '`u` >= ?', params: ['2024-01-01'] }, columns: ['id'] });
    expect(q.sql).toBe('SELECT `id` FROM `t` WHERE `id` >= ? AND `id` < ? AND `id` <= ? AND (`u` >= ?) ORDER BY `id`');
    expect(q.params).toEqual([10n, 20n, 15n, '2024-01-01']);
  });
  test('quotes identifiers', () => {
    expect(keysetQuery({ table: 'we`ird', key: [{ name: 'i`d', integer: false }], after: null }).sql).toBe('SELECT * FROM `we``ird` WHERE 1=1 ORDER BY `i``d`');
  });
  test('stored keys round-trip, binary included', () => {
    const values = ['42', 7, Buffer.from([0, 255])];
    const stored = JSON.parse(JSON.stringify(storeKey(values)));
    expect(loadKey(stored)).toEqual(values);
    expect(showKey(values)).toBe('42:7:00ff');
    expect(showKey(['x:y', 1])).toBe('x\\:y:1');
  });
});
