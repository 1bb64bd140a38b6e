import { resolveFromConfig } from '../config/load.js';
import { StranglerError } from '../core/errors.js';
import { createDeadLetterFile } from '../migrators/copy/dead-letters.js';
import { reverseTable, type Conflict, type ReverseTotals, type ReverseWatermark } from '../migrators/reverse/reverse-table.js';
import type { KeySetResult } from '../migrators/reverse/key-set.js';
import type { MigrateContext } from './migrate.js';
import { DEFAULT_MARGIN_SECONDS } from '../migrators/sync/watermark.js';
import { backfillStartMs } from '../migrators/reverse/settled.js';
import { keySetPass } from './reverse-key-set.js';
import { openReverseIo } from './reverse.js';

export interface ReversePassResult extends ReverseTotals {
  table: string;
  kind: string;
  watermark: ReverseWatermark;
  /** The key-set comparison, when it ran in this pass. */
  keySet?: KeySetResult;
  ms: number;
}

export interface ReverseRunOptions {
  batchSize: number;
  /** A pass every this many ms until the signal; undefined: one pass. */
  watchMs?: number;
  /** With watchMs: a key-set comparison (a full scan) at most this often; without, every pass has one. */
  keySetEveryMs?: number;
  /** A pass reads entities stamped at least this long ago (reverse-table.ts `before`); default 2000. */
  settleMs?: number;
  signal?: AbortSignal;
  onConflict?(c: Conflict): void;
  /** After each table's pass. */
  onPass?(r: ReversePassResult): void;
}

/** How long a write may take from its stamp to its commit, and the clocks of the service and reverse differ. */
export const DEFAULT_SETTLE_MS = 2000;

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
  const noUpdatedAt = tables.find((t) => ctx.migrate.tables[t.name]!.reverse!.keySet && !t.mapping.updatedAt);
  if (noUpdatedAt) {
    throw new StranglerError('STRANGLER_E_MIGRATE_REVERSE_CONFIG', `reverse: key-set deletes of ${noUpdatedAt.name} need its updatedAt column (migrate.tables.${noUpdatedAt.name}.updatedAt), to tell a deleted entity from a row not copied yet`, {
      hint: `${noUpdatedAt.name}: { updatedAt: updated_at, reverse: { updatedAt: updated_at, keySet: true } }`,
    });
  }
  if (tables.length === 0 || refused) {
    throw new StranglerError('STRANGLER_E_MIGRATE_REVERSE_CONFIG', refused ? `reverse: table ${refused.name} has a transform, which cannot be inverted` : 'reverse: no selected table has a reverse rule (migrate.tables.<table>.reverse)', {
      hint: 'users: { kind: User, updatedAt: updated_at, reverse: { updatedAt: updated_at, tombstone: deleted_at } }',
    });
  }
  const { io: rio, mark, close } = await openReverseIo(ctx);
  const deadLetters = createDeadLetterFile(resolveFromConfig(ctx.config, ctx.migrate.deadLetters));
  const lastKeySet = new Map<string, number>();
  // Read once a run: with --watch a table may go many passes before its first change.
  const firstSinces = new Map<string, string | null>();
  try {
    do {
      for (const t of tables) {
        if (!mark.tables[t.name] && !firstSinces.has(t.name)) firstSinces.set(t.name, await firstSince(ctx, t.name));
        const from = mark.tables[t.name] ?? { since: firstSinces.get(t.name) ?? null, keysAtSince: [] };
        const before = 'totals' in from ? from.totals : ZERO;
        const started = performance.now();
        const r = await reverseTable({
          mapping: t.mapping,
          rule: ctx.migrate.tables[t.name]!.reverse!,
          from,
          // Totals in the mark add up over passes.
          io: { ...rio, saveWatermark: (table, w, totals) => rio.saveWatermark(table, w, sum(before, totals)) },
          batchSize: o.batchSize,
          before: new Date(Date.now() - (o.settleMs ?? DEFAULT_SETTLE_MS)),
          ...(o.onConflict ? { onConflict: o.onConflict } : {}),
          onDeadLetter: (key, reason) => deadLetters.write({ table: t.name, kind: t.mapping.kind, key, reason }),
        });
        let keySet: KeySetResult | undefined;
        if (ctx.migrate.tables[t.name]!.reverse!.keySet && (!o.watchMs || performance.now() - (lastKeySet.get(t.name) ?? -Infinity) >= (o.keySetEveryMs ?? 60_000))) {
          lastKeySet.set(t.name, performance.now());
          keySet = await keySetPass(ctx, t, rio.write, o.batchSize);
        }
        o.onPass?.({ table: t.name, kind: t.mapping.kind, ...r, ...(keySet ? { keySet } : {}), ms: performance.now() - started });
      }
      if (o.watchMs && !o.signal?.aborted) await pause(o.watchMs, o.signal);
    } while (o.watchMs && !o.signal?.aborted);
  } finally {
    await close();
  }
}

/**
 * Where a table's first pass starts: entities last changed before its backfill began (less the sync
 * margin for clocks) are the backfill's own copies of MySQL's rows, with nothing to send back, and
 * reading them all would make the first pass as long as a verify. No backfill recorded: from the start.
 */
async function firstSince(ctx: MigrateContext, table: string): Promise<string | null> {
  const began = await backfillStartMs(ctx.store, table);
  return began === undefined ? null : new Date(began - DEFAULT_MARGIN_SECONDS * 1000).toISOString();
}

/** Waits ms, or until the signal; the listener goes with the wait (a pass every 200 ms adds one each). */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
