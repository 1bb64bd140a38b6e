import { Datastore } from '@google-cloud/datastore';
import { entityToRow, wallClockText } from '../../../migrators/reverse/invert.js';
import { mapRow } from '../../../migrators/mapping/map-row.js';
import type { TableMapping } from '../../../migrators/mapping/types.js';
import { keyString } from '../../../migrators/datastore/sink.js';
import { reverseTable, type ReverseIo } from '../../../migrators/reverse/reverse-table.js';
import { createReverseWriter } from '../../../migrators/mysql/reverse-writer.js';

const ds = new Datastore({ projectId: 'p-test' });
const messages: TableMapping = {
  table: 'messages',
  kind: 'Message',
  key: { columns: ['id'], strategy: 'id' },
  parent: { kind: 'Chat', column: 'chat_id', strategy: 'id' },
  properties: [
    { column: 'id', property: 'id', type: 'int', indexed: true },
    { column: 'chat_id', property: 'chat_id', type: 'int', indexed: true },
    { column: 'body', property: 'text', type: 'string', indexed: true },
    { column: 'sent_at', property: 'sent_at', type: 'timestamp', indexed: true, timeZone: 'Europe/Berlin' },
    { column: 'pinned', property: 'pinned', type: 'boolean', indexed: true },
    { column: 'tags', property: 'tags', type: 'array', indexed: true },
    { column: 'meta', property: 'meta', type: 'entity', indexed: false },
  ],
};

describe('the inverted mapping: entity → row', () => {
  test('a row mapped by run and inverted comes back as it was (in the column’s own terms)', () => {
    const row = { id: '12', chat_id: '7', body: 'hi', sent_at: '2024-07-01 14:00:00.250', pinned: 1, tags: 'a,c', meta: '{"n":1}' };
    const m = mapRow(messages, row);
    if (!m.ok) throw new Error(m.reason);
    const key = ds.key(m.key as never);
    const back = entityToRow(messages, key, m.data);
    expect(back).toEqual({ ok: true, row: { id: '12', chat_id: '7', body: 'hi', sent_at: '2024-07-01 14:00:00.250', pinned: 1, tags: 'a,c', meta: '{"n":1}' } });
  });

  test('the key gives the key and parent columns; composite names are split; a transform refuses', () => {
    const pairs: TableMapping = { table: 'pairs', kind: 'Pair', key: { columns: ['a', 'b'], strategy: 'name' }, properties: [] };
    expect(entityToRow(pairs, ds.key(['Pair', 'x\\:y:1']), {})).toEqual({ ok: true, row: { a: 'x:y', b: '1' } });
    expect(entityToRow({ ...pairs, transformModule: './t.js' }, ds.key(['Pair', 'a:b']), {}).ok).toBe(false);
    expect(entityToRow(messages, ds.key(['Message', ds.int(3)]), {})).toEqual({ ok: false, reason: 'the entity has no Chat ancestor' });
  });

  test('wall clocks: UTC, a DST zone in summer and winter', () => {
    const d = new Date('2024-01-15T11:00:00.007Z');
    expect(wallClockText(d, 'UTC')).toBe('2024-01-15 11:00:00.007');
    expect(wallClockText(d, 'Europe/Berlin')).toBe('2024-01-15 12:00:00.007');
    expect(wallClockText(new Date('2024-07-15T10:00:00Z'), 'Europe/Berlin')).toBe('2024-07-15 12:00:00.000');
  });
});

describe('reverseTable against in-memory sides', () => {
  const items: TableMapping = {
    table: 'items',
    kind: 'Item',
    key: { columns: ['id'], strategy: 'id' },
    updatedAt: 'updated_at',
    properties: [
      { column: 'id', property: 'id', type: 'int', indexed: true },
      { column: 'name', property: 'name', type: 'string', indexed: true },
      { column: 'updated_at', property: 'updated_at', type: 'timestamp', indexed: true, timeZone: 'UTC' },
    ],
  };
  function sides(entities: { id: number; name: string; at: string }[], rows: Record<string, unknown>[]) {
    const written: { upserts: Record<string, unknown>[]; deletes: Record<string, unknown>[] } = { upserts: [], deletes: [] };
    const io: ReverseIo = {
      async changes(_kind, _property, since, limit, before) {
        return entities
          .map((e) => ({ key: ds.key(['Item', ds.int(e.id)]), entity: { id: ds.int(e.id), name: e.name, updated_at: new Date(e.at) } as Record<string, unknown> }))
          .filter((c) => (!since || (c.entity.updated_at as Date) >= since) && (c.entity.updated_at as Date) < before)
          .sort((a, b) => (a.entity.updated_at as Date).getTime() - (b.entity.updated_at as Date).getTime())
          .slice(0, limit);
      },
      async rows(_mapping, keyed) {
        return new Map(keyed.flatMap((k) => rows.filter((r) => String(r.id) === String(k.row.id)).map((r) => [keyString(k.key), r] as const)));
      },
      async write(_mapping, upserts, deletes) {
        written.upserts.push(...upserts);
        written.deletes.push(...deletes);
      },
      async saveWatermark() {},
    };
    return { io, written };
  }

  test('a row equal to its entity is left alone, though DATETIME(0) reads back without milliseconds', async () => {
    const { io, written } = sides(
      [
        { id: 1, name: 'same', at: '2024-01-01T10:00:00.000Z' },
        { id: 2, name: 'changed', at: '2024-01-01T10:00:01.000Z' },
      ],
      [
        { id: 1, name: 'same', updated_at: '2024-01-01 10:00:00' },
        { id: 2, name: 'old', updated_at: '2024-01-01 09:00:00' },
      ],
    );
    const r = await reverseTable({ mapping: items, rule: { updatedAt: 'updated_at', conflict: 'newest' }, from: { since: null, keysAtSince: [] }, io, batchSize: 10, before: new Date('2025-01-01T00:00:00Z') });
    expect(r).toMatchObject({ upserts: 1, unchanged: 1, conflicts: 0 });
    expect(written.upserts).toEqual([{ id: '2', name: 'changed', updated_at: '2024-01-01 10:00:01.000' }]);
  });

  test('more entities stamped in one second than a page holds are all sent (a page of ones already applied is read past)', async () => {
    const entities = [1, 2, 3, 4, 5].map((id) => ({ id, name: `n${id}`, at: '2024-01-01T10:00:00.000Z' }));
    const { io, written } = sides(entities, []);
    const r = await reverseTable({ mapping: items, rule: { updatedAt: 'updated_at', conflict: 'newest' }, from: { since: null, keysAtSince: [] }, io, batchSize: 2, before: new Date('2025-01-01T00:00:00Z') });
    expect(r.upserts).toBe(5);
    expect(written.upserts.map((row) => row.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(r.watermark).toEqual({ since: '2024-01-01T10:00:00.000Z', keysAtSince: expect.arrayContaining([1, 2, 3, 4, 5].map((id) => keyString(ds.key(['Item', ds.int(id)])))) });
  });

  test('a write stamped earlier that commits after a later one still arrives: a pass reads only settled stamps', async () => {
    // Entity 2 (stamped 10:00:05) is visible; entity 1 (stamped 10:00:04) commits a moment later.
    const entities = [{ id: 2, name: 'later stamp, first commit', at: '2024-01-01T10:00:05.000Z' }];
    const { io, written } = sides(entities, []);
    const pass = (before: string, from: { since: string | null; keysAtSince: string[] }) =>
      reverseTable({ mapping: items, rule: { updatedAt: 'updated_at', conflict: 'newest' }, from, io, batchSize: 10, before: new Date(before) });
    // A pass at 10:00:06 with 2 s to settle reads stamps before 10:00:04: neither yet.
    const first = await pass('2024-01-01T10:00:04.000Z', { since: null, keysAtSince: [] });
    expect(first).toMatchObject({ upserts: 0, watermark: { since: null } });
    entities.push({ id: 1, name: 'earlier stamp, late commit', at: '2024-01-01T10:00:04.000Z' });
    const second = await pass('2024-01-01T10:00:08.000Z', first.watermark);
    expect(second.upserts).toBe(2);
    expect(written.upserts.map((r) => r.id)).toEqual(['1', '2']);
  });
});

describe('the loop guard needs MariaDB', () => {
  test('on MySQL 8 the writer refuses to start (no session server_id to mark its writes with) and closes its connection', async () => {
    const sent: string[] = [];
    let ended = false;
    const conn = {
      query: async (sql: string) => {
        sent.push(sql);
        return [[{ v: '8.0.36' }]];
      },
      end: async () => void (ended = true),
    };
    await expect(createReverseWriter(conn as never, 4175)).rejects.toMatchObject({ code: 'STRANGLER_E_MIGRATE_REVERSE_LOOP_GUARD', message: expect.stringMatching(/MySQL 8\.0\.36 cannot mark reverse's writes/) });
    expect({ sent, ended }).toEqual({ sent: ['SELECT VERSION() AS v'], ended: true });
  });
});
