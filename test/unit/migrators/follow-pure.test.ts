import { toMutations, type RowChange } from '../../../migrators/follow/change-batch.js';
import { compareBinlogPositions, earliestPosition } from '../../../migrators/mysql/binlog-position.js';
import { binlogReadiness, type BinlogFacts } from '../../../migrators/mysql/binlog-readiness.js';
import type { TableMapping } from '../../../migrators/mapping/types.js';

const users: TableMapping = {
  table: 'users',
  kind: 'User',
  key: { columns: ['id'], strategy: 'id' },
  properties: [
    { column: 'id', property: 'id', type: 'int', indexed: true },
    { column: 'name', property: 'name', type: 'string', indexed: true },
  ],
};
const mappings = new Map([['users', users]]);
const show = (changes: RowChange[]) =>
  toMutations(changes, mappings).map((m) => (m.op === 'upsert' ? `upsert ${String((m.key[1] as { value: string }).value)} ${String(m.entity.data.name)}` : m.op === 'delete' ? `delete ${String((m.key[1] as { value: string }).value)}` : `dead ${m.key}`));

describe('binlog changes → Datastore mutations', () => {
  test('the last change of a key wins, in binlog order; other tables are ignored', () => {
    expect(
      show([
        { table: 'users', op: 'insert', row: { id: 1, name: 'a' } },
        { table: 'users', op: 'insert', row: { id: 2, name: 'b' } },
        { table: 'users', op: 'update', before: { id: 1, name: 'a' }, after: { id: 1, name: 'a2' } },
        { table: 'other', op: 'insert', row: { id: 9 } },
        { table: 'users', op: 'delete', row: { id: 2, name: 'b' } },
      ]),
    ).toEqual(['upsert 1 a2', 'delete 2']);
    expect(show([{ table: 'users', op: 'delete', row: { id: 3, name: 'c' } }, { table: 'users', op: 'insert', row: { id: 3, name: 'c2' } }])).toEqual(['upsert 3 c2']);
  });

  test('an update of the primary key deletes the old entity; an unmappable row is a dead letter', () => {
    expect(show([{ table: 'users', op: 'update', before: { id: 4, name: 'd' }, after: { id: 5, name: 'd' } }])).toEqual(['delete 4', 'upsert 5 d']);
    expect(show([{ table: 'users', op: 'insert', row: { id: 0, name: 'zero' } }])).toEqual(['dead 0']);
  });
});

describe('the row before the batch, for onChange hooks', () => {
  const befores = (changes: RowChange[]) => toMutations(changes, mappings).map((m) => (m.op === 'dead' ? 'dead' : `${m.op} ${String((m.key[1] as { value: string }).value)} was ${String(m.before?.name ?? '-')}`));
  test("each key carries its row as it was before the batch's first change to it", () => {
    expect(befores([{ table: 'users', op: 'update', before: { id: 1, name: 'a' }, after: { id: 1, name: 'b' } }, { table: 'users', op: 'update', before: { id: 1, name: 'b' }, after: { id: 1, name: 'c' } }])).toEqual(['upsert 1 was a']);
    expect(befores([{ table: 'users', op: 'insert', row: { id: 2, name: 'x' } }, { table: 'users', op: 'update', before: { id: 2, name: 'x' }, after: { id: 2, name: 'y' } }])).toEqual(['upsert 2 was -']);
  });
  test('a delete of a row the batch inserted carries the deleted row; a moved key deletes the old one and inserts the new', () => {
    expect(befores([{ table: 'users', op: 'insert', row: { id: 3, name: 'n' } }, { table: 'users', op: 'delete', row: { id: 3, name: 'n' } }])).toEqual(['delete 3 was n']);
    expect(befores([{ table: 'users', op: 'update', before: { id: 4, name: 'd' }, after: { id: 5, name: 'd' } }])).toEqual(['delete 4 was d', 'upsert 5 was -']);
  });
});

describe('binlog positions and readiness', () => {
  test('positions order by file sequence, then offset', () => {
    const a = { file: 'binlog.000009', position: 900 };
    const b = { file: 'binlog.000010', position: 4 };
    expect(compareBinlogPositions(a, b)).toBeLessThan(0);
    expect(earliestPosition([b, a, { file: 'binlog.000010', position: 2 }])).toEqual(a);
  });

  const good: BinlogFacts = { logBin: true, format: 'ROW', rowImage: 'FULL', expireSeconds: 7 * 86_400, replicationGrant: true, files: ['binlog.000001'], mariadb: true };
  test('usable: ROW, FULL, the grant, the start file still there; retention is a note', () => {
    expect(binlogReadiness(good, { file: 'binlog.000001', position: 4 })).toEqual({ usable: true, problems: [], notes: ['binlogs are purged after 7 day(s): a follow stopped for longer cannot resume'] });
  });
  test('each missing piece is a problem with its fix, and sync is named as the fallback', () => {
    const r = binlogReadiness({ ...good, format: 'MIXED', rowImage: 'MINIMAL', replicationGrant: false, expireSeconds: 0 }, { file: 'binlog.000000', position: 4 });
    expect(r.usable).toBe(false);
    expect(r.problems.map((p) => p.split(':')[0])).toEqual(['binlog_format is MIXED', 'binlog_row_image is MINIMAL', 'the user may not read the binlog', 'binlog.000000, where the backfill began, has been purged']);
    expect(r.notes).toEqual(['binlogs are never purged', 'until it is usable, migrate sync (by updatedAt) is the way to catch up']);
    expect(binlogReadiness({ ...good, logBin: false }).problems[0]).toMatch(/^the binlog is off/);
  });
});
