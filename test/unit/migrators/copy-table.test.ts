import { Datastore, type Key } from '@google-cloud/datastore';
import { createMemoryCheckpointStore } from '../../../migrators/checkpoint/memory.js';
import type { CopyTableInput } from '../../../migrators/copy/copy-input.js';
import { copyTable } from '../../../migrators/copy/copy-table.js';
import { createDeadLetterMemory } from '../../../migrators/copy/dead-letters.js';
import { UNLIMITED } from '../../../migrators/copy/rate-limiter.js';
import { WHOLE } from '../../../migrators/keys/shard.js';
import type { DatastoreSink, EntityWrite } from '../../../migrators/datastore/sink.js';
import type { MapResult } from '../../../migrators/mapping/types.js';
import type { KeysetOptions } from '../../../migrators/mysql/keyset.js';
import type { MysqlSource, Row } from '../../../migrators/mysql/source.js';

/** In-memory adapters: the copy's ordering and checkpoint logic, without I/O. */
const ds = new Datastore({ projectId: 'unit' });

function memorySource(rows: Row[]): MysqlSource {
  return {
    url: 'mysql://memory/db',
    reader: { query: async () => [[], []] },
    binlogPosition: async () => null,
    binlogFacts: async () => {
      throw new Error('not read by copy');
    },
    ping: async () => undefined,
    async readChunk(o: KeysetOptions) {
      const after = o.after ? Number(o.after[0]) : -Infinity;
      return rows.filter((r) => Number(r.id) > after).slice(0, o.limit);
    },
    count: async () => rows.length,
    minMax: async () => ({ min: '1', max: String(rows.length) }),
    utcNow: async () => '2024-01-01 00:00:00.000000',
    existing: async () => [],
    query: async () => [],
    close: async () => undefined,
  };
}

/** Commits finish after random delays (so out of order); `failAt` makes the nth commit fail for good. */
function memorySink(options: { failAt?: number } = {}): DatastoreSink & { written: Map<string, number> } {
  const written = new Map<string, number>();
  let commits = 0;
  return {
    written,
    ping: async () => undefined,
    async upsert<T extends EntityWrite>(batch: readonly T[]) {
      const n = ++commits;
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      if (options.failAt !== undefined && n >= options.failAt) throw Object.assign(new Error('permission denied'), { code: 7 });
      for (const e of batch) written.set(String(e.key.id), (written.get(String(e.key.id)) ?? 0) + 1);
      return [];
    },
    delete: async () => undefined,
    lookup: async () => [],
    count: async () => written.size,
    async *keys() {},
    changedSince: async () => [],
  };
}

const rows: Row[] = Array.from({ length: 2345 }, (_, i) => ({ id: String(i + 1), name: `n${i + 1}` }));
const map = (row: Row): MapResult =>
  row.id === '777' ? { ok: false, key: '777', reason: 'too big' } : { ok: true, key: ['T', ds.int(String(row.id))], data: { name: row.name }, excludeFromIndexes: [], approxBytes: 100, zeroDates: 0 };

function input(over: Partial<CopyTableInput>): CopyTableInput {
  return {
    table: 't',
    kind: 'T',
    key: [{ name: 'id', integer: true }],
    shard: WHOLE,
    range: { from: null, to: null },
    map,
    toKey: (path) => ds.key(path as never) as Key,
    source: memorySource(rows),
    sink: memorySink(),
    store: createMemoryCheckpointStore(),
    deadLetters: createDeadLetterMemory(),
    limiter: UNLIMITED,
    batchSize: 50,
    concurrency: 4,
    dryRun: false,
    retries: { count: 0 },
    ...over,
  };
}

describe('copyTable', () => {
  test('copies every row once, dead-letters the unmappable one, and finishes its checkpoint', async () => {
    const sink = memorySink();
    const deadLetters = createDeadLetterMemory();
    const store = createMemoryCheckpointStore();
    const r = await copyTable(input({ sink, deadLetters, store }));
    expect([r.copied, r.deadLetters, r.lastKey]).toEqual([2344, 1, '2345']);
    expect(sink.written.size).toBe(2344);
    expect([...sink.written.values()].every((n) => n === 1)).toBe(true);
    expect(deadLetters.letters).toEqual([{ table: 't', kind: 'T', key: '777', reason: 'too big' }]);
    expect(await store.get('t#0/1')).toMatchObject({ done: true, rowsCopied: 2344, deadLetters: 1, lastKey: ['2345'] });
  });

  test('a failure mid-run leaves a checkpoint with no hole behind it, and the resume completes the copy', async () => {
    const store = createMemoryCheckpointStore();
    const failing = memorySink({ failAt: 45 });
    await expect(copyTable(input({ sink: failing, store }))).rejects.toThrow('permission denied');
    const cp = (await store.get('t#0/1'))!;
    expect(cp.done).toBe(false);
    const last = cp.lastKey ? Number(cp.lastKey[0]) : 0;
    expect(last).toBeGreaterThan(0);
    expect(last).toBeLessThan(2345);
    // Every row up to the checkpoint is written, whatever order the commits finished in.
    for (let id = 1; id <= last; id++) if (id !== 777) expect(failing.written.has(String(id))).toBe(true);
    const sink = memorySink();
    const r = await copyTable(input({ sink, store }));
    expect(r.totalCopied).toBe(2344);
    for (let id = last + 1; id <= 2345; id++) if (id !== 777) expect(sink.written.has(String(id))).toBe(true);
    expect([...sink.written.keys()].every((id) => Number(id) > last)).toBe(true);
  });

  test('a checkpoint that vanishes mid-run makes the shard start over, and says so', async () => {
    const store = createMemoryCheckpointStore();
    const notices: string[] = [];
    let wiped = false;
    const sink = memorySink();
    const r = await copyTable(
      input({
        sink,
        store,
        events: {
          progress: (e) => {
            if (!wiped && e.copied > 1000) {
              wiped = true;
              store.checkpoints.clear(); // as an emulator restart does
            }
          },
          notice: (e) => void notices.push(e.message),
        },
      }),
    );
    expect(notices).toEqual([expect.stringMatching(/^checkpoint vanished from the target/)]);
    expect(r.totalCopied).toBe(2344);
    expect(sink.written.get('1')).toBe(2); // copied again from the start
    expect(await store.get('t#0/1')).toMatchObject({ done: true, rowsCopied: 2344 });
  });

  test('dry run: reads and maps everything, calls no write', async () => {
    const sink = memorySink({ failAt: 1 }); // any write would throw
    const r = await copyTable(input({ sink, dryRun: true }));
    expect([r.copied, r.deadLetters]).toEqual([2344, 1]);
    expect(sink.written.size).toBe(0);
  });
});
