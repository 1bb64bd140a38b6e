import type { PreparedTable } from '../migrators/plan/prepared-table.js';
import { reverseKeySet, type KeySetResult } from '../migrators/reverse/key-set.js';
import type { ReverseIo } from '../migrators/reverse/reverse-table.js';
import { settledBefore } from '../migrators/reverse/settled.js';
import type { MigrateContext } from './migrate.js';

/** One key-set comparison of a table: its rows read by key from MySQL, looked up in Datastore. */
export async function keySetPass(ctx: MigrateContext, t: PreparedTable, write: ReverseIo['write'], batchSize: number): Promise<KeySetResult> {
  const m = t.mapping;
  const columns = [...new Set([...m.key.columns, ...(m.parent ? [m.parent.column] : []), m.updatedAt!])];
  return reverseKeySet({
    mapping: m,
    key: t.key,
    toKey: ctx.toKey,
    settledBefore: await settledBefore(ctx.store, t.name),
    batchSize,
    io: {
      rows: (after, limit) => ctx.source.readChunk({ table: t.name, key: t.key, after, limit, columns }),
      exist: async (keys) => (await ctx.sink.lookup(keys)).map((e) => e !== undefined),
      remove: (rows) => write(m, [], rows),
    },
  });
}
