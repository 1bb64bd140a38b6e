import { resolveFromConfig } from '../config/load.js';
import { StranglerError } from '../core/errors.js';
import { createDeadLetterFile } from '../migrators/copy/dead-letters.js';
import { reverseTable, type Conflict, type ReverseTotals, type ReverseWatermark } from '../migrators/reverse/reverse-table.js';
import type { MigrateContext } from './migrate.js';
import { openReverseIo } from './reverse.js';

export interface ReversePassResult extends ReverseTotals {
  table: string;
  kind: string;
  watermark: ReverseWatermark;
  ms: number;
}

export interface ReverseRunOptions {
  batchSize: number;
  /** A pass every this many ms until the signal; undefined: one pass. */
  watchMs?: number;
  signal?: AbortSignal;
  onConflict?(c: Conflict): void;
  /** After each table's pass. */
  onPass?(r: ReversePassResult): void;
}

const ZERO: ReverseTotals = { upserts: 0, deletes: 0, conflicts: 0, unchanged: 0, deadLetters: 0 };

function sum(a: ReverseTotals, b: ReverseTotals): ReverseTotals {
  return { upserts: a.upserts + b.upserts, deletes: a.deletes + b.deletes, conflicts: a.conflicts + b.conflicts, unchanged: a.unchanged + b.unchanged, deadLetters: a.deadLetters + b.deadLetters };
}

/**
 * `migrate reverse` as the CLI and the demo run it: every selected table with a reverse rule, a pass
 * each from its watermark in the checkpoint store, again every watchMs until the signal.
 */
export async function runReverse(ctx: MigrateContext, o: ReverseRunOptions): Promise<void> {
  const tables = ctx.tables.filter((t) => ctx.migrate.tables[t.name]?.reverse);
  const refused = tables.find((t) => t.mapping.transformModule);
  if (tables.length === 0 || refused) {
    throw new StranglerError('STRANGLER_E_MIGRATE_REVERSE_CONFIG', refused ? `reverse: table ${refused.name} has a transform, which cannot be inverted` : 'reverse: no selected table has a reverse rule (migrate.tables.<table>.reverse)', {
      hint: 'users: { kind: User, updatedAt: updated_at, reverse: { updatedAt: updated_at, tombstone: deleted_at } }',
    });
  }
  const { io: rio, mark, close } = await openReverseIo(ctx);
  const deadLetters = createDeadLetterFile(resolveFromConfig(ctx.config, ctx.migrate.deadLetters));
  try {
    do {
      for (const t of tables) {
        const from = mark.tables[t.name] ?? { since: null, keysAtSince: [] };
        const before = 'totals' in from ? from.totals : ZERO;
        const started = performance.now();
        const r = await reverseTable({
          mapping: t.mapping,
          rule: ctx.migrate.tables[t.name]!.reverse!,
          from,
          // Totals in the mark add up over passes.
          io: { ...rio, saveWatermark: (table, w, totals) => rio.saveWatermark(table, w, sum(before, totals)) },
          batchSize: o.batchSize,
          ...(o.onConflict ? { onConflict: o.onConflict } : {}),
          onDeadLetter: (key, reason) => deadLetters.write({ table: t.name, kind: t.mapping.kind, key, reason }),
        });
        o.onPass?.({ table: t.name, kind: t.mapping.kind, ...r, ms: performance.now() - started });
      }
      if (o.watchMs && !o.signal?.aborted) await pause(o.watchMs, o.signal);
    } while (o.watchMs && !o.signal?.aborted);
  } finally {
    await close();
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
