import { Datastore } from '@google-cloud/datastore';
import { createMemoryCheckpointStore } from '../../../migrators/checkpoint/memory.js';
import { CheckpointVanishedError, type Checkpoint } from '../../../migrators/checkpoint/contract.js';
import { shardStatus } from '../../../migrators/checkpoint/status.js';
import type { TableMapping } from '../../../migrators/mapping/types.js';
import { primaryKeyOf } from '../../../migrators/sync/key-decode.js';
import { syncThreshold } from '../../../migrators/sync/watermark.js';
import { chunkHash, compareChunk } from '../../../migrators/verify/compare.js';

const ds = new Datastore({ projectId: 'unit' });

describe('chunk comparison', () => {
  const a = new Map([
    ['User:id=1', { name: 's:"a"', n: 'i:1' }],
    ['User:id=2', { name: 's:"b"', n: 'i:2' }],
  ]);
  test('the digest ignores insertion order but not content', () => {
    const reversed = new Map([...a].reverse());
    expect(chunkHash(reversed)).toBe(chunkHash(a));
    expect(chunkHash(new Map([...a, ['User:id=2', { name: 's:"b"', n: 'i:3' }]]))).not.toBe(chunkHash(a));
  });
  test('rows: missing keys and differing properties, with columns and both values', () => {
    const target = new Map([['User:id=2', { name: 's:"B"', n: 'i:2', extra: 'i:9' }]]);
    expect(compareChunk(a, target, (k) => k.slice(8), (p) => (p === 'name' ? 'user_name' : p))).toEqual([
      { type: 'MISSING_IN_TARGET', key: 'User:id=1', pk: '1' },
      {
        type: 'FIELD_DIFF',
        key: 'User:id=2',
        pk: '2',
        fields: [
          { property: 'extra', column: 'extra', source: 'absent', target: 'i:9' },
          { property: 'name', column: 'user_name', source: 's:"b"', target: 's:"B"' },
        ],
      },
    ]);
  });
});

describe('entity key → primary key', () => {
  const mapping = (strategy: 'id' | 'name', columns: string[]): TableMapping => ({ table: 't', kind: 'T', key: { columns, strategy }, properties: [] });
  test('ids, names, escaped composite names and hex binary parts', () => {
    expect(primaryKeyOf(ds.key(['T', ds.int('9007199254740993')]), mapping('id', ['id']), [{ name: 'id', integer: true }])).toEqual(['9007199254740993']);
    expect(primaryKeyOf(ds.key(['T', 'bob']), mapping('name', ['email']), [{ name: 'email', integer: false }])).toEqual(['bob']);
    expect(primaryKeyOf(ds.key(['T', 'a\\:b:7']), mapping('name', ['s', 'n']), [{ name: 's', integer: false }, { name: 'n', integer: true }])).toEqual(['a:b', '7']);
    expect(primaryKeyOf(ds.key(['P', 1, 'T', '00ff']), mapping('name', ['u']), [{ name: 'u', integer: false, binary: true }])).toEqual([Buffer.from([0, 255])]);
  });
  test('a key this mapping could not have made is undefined (an orphan by construction)', () => {
    expect(primaryKeyOf(ds.key(['Other', 1]), mapping('id', ['id']), [{ name: 'id', integer: true }])).toBeUndefined();
    expect(primaryKeyOf(ds.key(['T', 'x']), mapping('id', ['id']), [{ name: 'id', integer: true }])).toBeUndefined();
    expect(primaryKeyOf(ds.key(['T', 'a:b:c']), mapping('name', ['s', 'n']), [{ name: 's', integer: false }, { name: 'n', integer: true }])).toBeUndefined();
  });
});

describe('sync threshold', () => {
  test('subtracts the margin and writes the time in the column zone', () => {
    expect(syncThreshold('2024-03-10 12:00:00.123456', 300, 'UTC')).toBe('2024-03-10 11:55:00.123456');
    expect(syncThreshold('2024-07-01 12:00:00.000000', 0, 'Europe/Paris')).toBe('2024-07-01 14:00:00.000000');
    expect(syncThreshold('2024-01-01 00:00:30', 60, '-05:00')).toBe('2023-12-31 18:59:30.000000');
  });
});

describe('checkpoints in memory', () => {
  const cp: Checkpoint = {
    id: 'users#0/1', table: 'users', kind: 'User', shard: '0/1', range: { from: null, to: null }, lastKey: ['10'], rowsCopied: 10,
    rowsTotal: 40, deadLetters: 0, retries: 2, watermark: '2024-01-01 00:00:00.000000', startedAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:10.000Z', rate: 5, done: false,
  };
  test('update refuses a checkpoint that vanished; plans are claimed once', async () => {
    const store = createMemoryCheckpointStore();
    await expect(store.update(cp)).rejects.toBeInstanceOf(CheckpointVanishedError);
    await store.put(cp);
    await store.update({ ...cp, rowsCopied: 20 });
    expect((await store.get(cp.id))?.rowsCopied).toBe(20);
    const first = await store.claimPlan({ table: 'users', count: 2, ranges: [{ from: null, to: '5' }, { from: '5', to: null }] });
    const second = await store.claimPlan({ table: 'users', count: 2, ranges: [{ from: null, to: '9' }, { from: '9', to: null }] });
    expect(second).toEqual(first);
    await store.clearTable('users');
    expect(await store.list()).toEqual([]);
  });
  test('status: rate, ETA and a stalled worker', () => {
    expect(shardStatus(cp, new Date('2024-01-01T00:00:20.000Z'))).toMatchObject({ state: 'running', etaSeconds: 6, lastKey: '10' });
    expect(shardStatus(cp, new Date('2024-01-01T01:00:00.000Z'))).toMatchObject({ state: 'stalled', etaSeconds: null });
    expect(shardStatus({ ...cp, done: true }, new Date())).toMatchObject({ state: 'done', etaSeconds: 0 });
  });
});
