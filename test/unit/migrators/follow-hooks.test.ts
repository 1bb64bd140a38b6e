import { Datastore, type Key } from '@google-cloud/datastore';
import { createMemoryCheckpointStore } from '../../../migrators/checkpoint/memory.js';
import { createDeadLetterMemory } from '../../../migrators/copy/dead-letters.js';
import type { ChangeTarget } from '../../../migrators/datastore/change-target.js';
import type { DatastoreSink } from '../../../migrators/datastore/sink.js';
import type { Transaction } from '../../../migrators/follow/binlog-stream.js';
import type { AppliedChange, TableHook } from '../../../migrators/follow/change-hook.js';
import type { FollowMark } from '../../../migrators/checkpoint/contract.js';
import { follow } from '../../../migrators/follow/follow.js';
import type { TableMapping } from '../../../migrators/mapping/types.js';
import { StranglerError } from '../../../core/errors.js';

/** follow() over an in-memory binlog, sink and checkpoint store: when the onChange hooks run. */
const ds = new Datastore({ projectId: 'unit' });
const table = (name: string, kind: string): TableMapping => ({
  table: name,
  kind,
  key: { columns: ['id'], strategy: 'id' },
  properties: [
    { column: 'id', property: 'id', type: 'int', indexed: true },
    { column: 'name', property: 'name', type: 'string', indexed: true },
  ],
});
const mappings = new Map([
  ['users', table('users', 'User')],
  ['logs', table('logs', 'Log')],
]);
const FILE = 'binlog.000001';
const tx = (position: number, changes: Transaction['changes']): Transaction => ({ changes, after: { file: FILE, position }, committedAt: 0 });

/** The log of what happened, in order: writes, deletes, hook calls, checkpoints. */
function harness(transactions: Transaction[], hook: (changes: readonly AppliedChange[]) => void | Promise<void>, from = 4) {
  const events: string[] = [];
  const sink = {
    async upsert(batch: { key: Key }[]) {
      events.push(`write ${batch.map((e) => `${e.key.kind}${e.key.id}`).join(',')}`);
      return [];
    },
    async delete(keys: Key[]) {
      events.push(`delete ${keys.map((k) => `${k.kind}${k.id}`).join(',')}`);
    },
  } as unknown as DatastoreSink;
  const store = createMemoryCheckpointStore();
  const putStreamMark = store.putStreamMark.bind(store);
  store.putStreamMark = async (m) => {
    events.push(`checkpoint ${String(m.position)}`);
    await putStreamMark(m);
  };
  const toKey = (path: unknown[]) => ds.key(path as never);
  const target: ChangeTarget = { key: toKey, transaction: () => Promise.reject(new Error('not used')) };
  const hooks: TableHook[] = [
    {
      table: 'users',
      module: './users-hook.js',
      hook: async (changes, t) => {
        expect(t).toBe(target);
        events.push(`hook ${changes.map((c) => `${c.op} ${String(c.key.id)} ${String(c.before?.name ?? '-')}→${String(c.after?.name ?? '-')}`).join(', ')}`);
        await hook(changes);
      },
    },
  ];
  let clock = 0;
  const last = transactions[transactions.length - 1]!.after;
  const run = (previous?: FollowMark) =>
    follow({
      mappings,
      from: previous ? { file: previous.file, position: previous.position } : { file: FILE, position: from },
      ...(previous ? { previous } : {}),
      async open(o) {
        setImmediate(() => {
          for (const t of transactions) if (t.after.position > (previous?.position ?? from)) o.onTransaction(t);
          o.onPosition?.(last, 0);
        });
        return { pause: () => undefined, resume: () => undefined, stop: async () => undefined };
      },
      sink,
      toKey,
      store,
      deadLetters: createDeadLetterMemory(),
      batchRows: 1,
      maxWaitMs: 0,
      skipServerIds: [],
      until: last,
      signal: new AbortController().signal,
      now: () => clock,
      hooks: { tables: hooks, target, retry: { baseMs: 100, capMs: 1000, budgetMs: 5000 }, sleep: async (ms) => void (clock += ms) },
    });
  return { events, store, run };
}

const users = [
  tx(100, [
    { table: 'users', op: 'insert', row: { id: 1, name: 'ann' } },
    { table: 'logs', op: 'insert', row: { id: 9, name: 'log' } },
    { table: 'users', op: 'insert', row: { id: 2, name: 'bob' } },
  ]),
  tx(200, [
    { table: 'users', op: 'update', before: { id: 1, name: 'ann' }, after: { id: 1, name: 'anne' } },
    { table: 'users', op: 'delete', row: { id: 2, name: 'bob' } },
  ]),
];

describe('migrate follow: onChange hooks', () => {
  test("each batch: its writes, then the hook with that table's changes (before/after), then the checkpoint", async () => {
    const h = harness(users, () => undefined);
    const mark = await h.run();
    expect(h.events).toEqual([
      'write User1,Log9,User2',
      'hook insert 1 -→ann, insert 2 -→bob',
      'checkpoint 100',
      'write User1',
      'delete User2',
      'hook update 1 ann→anne, delete 2 bob→-',
      'checkpoint 200',
      'checkpoint 200', // caught up (--until-caught-up)
    ]);
    expect(mark.position).toBe(200);
  });

  test('a batch that inserts and updates one key hands the hook the state before the batch and after it', async () => {
    const h = harness([tx(100, [{ table: 'users', op: 'insert', row: { id: 3, name: 'c' } }, { table: 'users', op: 'update', before: { id: 3, name: 'c' }, after: { id: 3, name: 'c2' } }, { table: 'users', op: 'delete', row: { id: 4, name: 'd' } }, { table: 'users', op: 'insert', row: { id: 4, name: 'd2' } }])], () => undefined);
    await h.run();
    expect(h.events[1]).toBe('hook insert 3 -→c2, update 4 d→d2');
  });

  test('a hook that throws once is retried; the batch is checkpointed after it succeeds', async () => {
    let calls = 0;
    const h = harness(users.slice(0, 1), () => {
      if (++calls === 1) throw new Error('contention');
    });
    await h.run();
    expect(h.events).toEqual(['write User1,Log9,User2', 'hook insert 1 -→ann, insert 2 -→bob', 'hook insert 1 -→ann, insert 2 -→bob', 'checkpoint 100', 'checkpoint 100']);
  });

  test('a hook that keeps throwing stops follow with STRANGLER_E_MIGRATE_ON_CHANGE_FAILED and does not advance the position; a restart replays the batch', async () => {
    let failing = true;
    const h = harness(users, (changes) => {
      if (failing && changes.some((c) => c.op === 'delete')) throw new Error('index store down');
    });
    const err = (await h.run().catch((e: unknown) => e)) as StranglerError;
    expect(err).toBeInstanceOf(StranglerError);
    expect(err.code).toBe('STRANGLER_E_MIGRATE_ON_CHANGE_FAILED');
    expect(err.message).toMatch(/^follow: the onChange hook of users \(\.\/users-hook\.js\) failed \d+ time\(s\) on a batch of 2 change\(s\) \(binlog\.000001:200\): index store down$/);
    const attempts = h.events.filter((e) => e.startsWith('hook update')).length;
    expect(attempts).toBeGreaterThan(1);
    // The second batch was written, its hook failed: the position stays at the first batch.
    expect(h.events.filter((e) => e.startsWith('checkpoint'))).toEqual(['checkpoint 100']);
    const mark = (await h.store.getStreamMark('follow')) as FollowMark;
    expect(mark.position).toBe(100);

    failing = false;
    h.events.length = 0;
    await h.run(mark);
    expect(h.events).toEqual(['write User1', 'delete User2', 'hook update 1 ann→anne, delete 2 bob→-', 'checkpoint 200', 'checkpoint 200']);
  });

  test('a write Datastore refuses for good (INVALID_ARGUMENT) stops follow at the first attempt; an ABORTED one is retried', async () => {
    const refused = Object.assign(new Error('3 INVALID_ARGUMENT: The value of property "bio" is longer than 1500 bytes'), { code: 3 });
    const h = harness(users.slice(0, 1), () => {
      throw refused;
    });
    const err = (await h.run().catch((e: unknown) => e)) as StranglerError;
    expect(err.code).toBe('STRANGLER_E_MIGRATE_ON_CHANGE_FAILED');
    expect(err.message).toMatch(/failed 1 time\(s\)/);
    expect(h.events.filter((e) => e.startsWith('hook'))).toHaveLength(1);

    let calls = 0;
    const aborted = harness(users.slice(0, 1), () => {
      if (++calls < 3) throw Object.assign(new Error('10 ABORTED: too much contention'), { code: 10 });
    });
    await aborted.run();
    expect(calls).toBe(3);
    expect(aborted.events.filter((e) => e.startsWith('checkpoint'))).toEqual(['checkpoint 100', 'checkpoint 100']);
  });
});
