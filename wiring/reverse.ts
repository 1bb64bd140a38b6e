import { keyString } from '../migrators/datastore/sink.js';
import { connectMysql } from '../migrators/mysql/connect.js';
import { createReverseWriter, type ReverseWriter } from '../migrators/mysql/reverse-writer.js';
import type { ReverseIo, ReverseTotals, ReverseWatermark } from '../migrators/reverse/reverse-table.js';
import type { MigrateContext } from './migrate.js';

export const REVERSE_STREAM = 'reverse';

export interface ReverseMark {
  stream: typeof REVERSE_STREAM;
  updatedAt: string;
  tables: Record<string, ReverseWatermark & { totals: ReverseTotals }>;
  [field: string]: unknown;
}

/** reverse's adapters: Datastore changes by updatedAt, MySQL through its own marked session, the
 * watermarks in the checkpoint store. */
export async function openReverseIo(ctx: MigrateContext): Promise<{ io: ReverseIo; mark: ReverseMark; close(): Promise<void> }> {
  const writer: ReverseWriter = await createReverseWriter(await connectMysql(ctx.migrate.source), ctx.migrate.reverse.serverId);
  const mark: ReverseMark = ((await ctx.store.getStreamMark(REVERSE_STREAM)) as ReverseMark | undefined) ?? { stream: REVERSE_STREAM, updatedAt: new Date().toISOString(), tables: {} };
  const io: ReverseIo = {
    changes: (kind, property, since, limit, before) => ctx.sink.changedSince(kind, property, since, limit, before),
    async rows(mapping, keyed) {
      const text = (r: Record<string, unknown>) => mapping.key.columns.map((c) => String(r[c])).join('\u0000');
      const rows = await writer.rows(mapping, keyed.map((k) => k.row));
      const byKey = new Map(rows.map((r) => [text(r), r]));
      const out = new Map<string, Record<string, unknown>>();
      for (const k of keyed) {
        const r = byKey.get(text(k.row));
        if (r) out.set(keyString(k.key), r);
      }
      return out;
    },
    write: (mapping, upserts, deletes) => writer.write(mapping, upserts, deletes),
    async saveWatermark(table, w, totals) {
      mark.tables[table] = { ...w, totals };
      mark.updatedAt = new Date().toISOString();
      await ctx.store.putStreamMark(mark);
    },
  };
  return { io, mark, close: () => writer.close() };
}
