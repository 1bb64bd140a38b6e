import type { Checkpoint } from '../../../migrators/checkpoint/contract.js';
import { createMemoryCheckpointStore } from '../../../migrators/checkpoint/memory.js';
import type { TableVerification } from '../../../migrators/verify/report.js';
import { verifyMark } from '../../../migrators/verify/verify-tables.js';
import { migrationsView } from '../../../proxy/console/migrations-view.js';

const result: TableVerification = {
  table: 'users', kind: 'User', sourceRows: 40, targetEntities: 41, sample: 100, chunks: 1, chunksCompared: 1, chunksDiffering: 1, rowsCompared: 40,
  extraScan: true, counts: { MISSING_IN_TARGET: 2, EXTRA_IN_TARGET: 3, FIELD_DIFF: 4 }, differences: [], ms: 1234, clean: false,
};
const cp: Checkpoint = {
  id: 'users#0/1', table: 'users', kind: 'User', shard: '0/1', range: { from: null, to: null }, lastKey: ['40'], rowsCopied: 40,
  rowsTotal: 40, deadLetters: 0, retries: 0, watermark: '2024-01-01 00:00:00.000000', startedAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:10.000Z', rate: 5, done: true,
};

describe('the last verify of a table, in the checkpoint store', () => {
  test('a verification becomes a mark with its verdict and totals', () => {
    expect(verifyMark(result, new Date('2024-01-02T03:04:05.000Z'))).toEqual({
      table: 'users', kind: 'User', at: '2024-01-02T03:04:05.000Z', clean: false, rows: 40, entities: 41, missing: 2, extra: 3, fieldDiffs: 4, ms: 1234,
    });
  });

  test('the memory store keeps one mark per table, the latest, until the table is cleared', async () => {
    const store = createMemoryCheckpointStore();
    expect(await store.getVerifyMark('users')).toBeUndefined();
    const first = verifyMark(result, new Date('2024-01-02T00:00:00.000Z'));
    await store.putVerifyMark(first);
    await store.putVerifyMark({ ...verifyMark({ ...result, table: 'orders', kind: 'Order' }, new Date()), clean: true });
    const second = { ...first, at: '2024-01-03T00:00:00.000Z', clean: true, missing: 0, extra: 0, fieldDiffs: 0 };
    await store.putVerifyMark(second);
    expect(await store.getVerifyMark('users')).toEqual(second);
    // A copy: changing what was read changes nothing stored.
    (await store.getVerifyMark('users'))!.clean = false;
    expect((await store.getVerifyMark('users'))?.clean).toBe(true);
    await store.clearTable('users');
    expect(await store.getVerifyMark('users')).toBeUndefined();
    expect((await store.getVerifyMark('orders'))?.table).toBe('orders');
  });

  test("the console's Migrations view shows each table's last verify on its rows, null before one", async () => {
    const store = createMemoryCheckpointStore();
    await store.put(cp);
    await store.put({ ...cp, id: 'orders#0/1', table: 'orders', kind: 'Order' });
    const now = new Date('2024-01-01T00:01:00.000Z');
    const before = await migrationsView(store, ['users', 'orders'], now);
    expect(before.configured && before.tables.map((t) => [t.table, t.lastVerify])).toEqual([['orders', null], ['users', null]]);
    const mark = verifyMark(result, now);
    await store.putVerifyMark(mark);
    const after = await migrationsView(store, ['users', 'orders'], now);
    expect(after.configured && after.tables.map((t) => [t.table, t.lastVerify])).toEqual([['orders', null], ['users', mark]]);
  });
});
