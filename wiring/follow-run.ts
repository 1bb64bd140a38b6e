import { resolveFromConfig } from '../config/load.js';
import { StranglerError } from '../core/errors.js';
import { redactUrl } from '../core/redact.js';
import { createDeadLetterFile } from '../migrators/copy/dead-letters.js';
import { loadChangeHook, type TableHook } from '../migrators/follow/change-hook.js';
import type { FollowMark } from '../migrators/checkpoint/contract.js';
import { follow, type FollowBatch } from '../migrators/follow/follow.js';
import { followStartingPoint } from '../migrators/follow/starting-point.js';
import type { BinlogPosition } from '../migrators/mysql/binlog-position.js';
import { binlogReadiness } from '../migrators/mysql/binlog-readiness.js';
import { DEFAULT_RETRY } from '../migrators/retry/retry.js';
import { binlogOpener } from './follow.js';
import type { MigrateContext } from './migrate.js';

export interface FollowRunOptions {
  signal: AbortSignal;
  batchRows: number;
  maxWaitMs: number;
  /** Stop once everything written before the start is applied. */
  untilCaughtUp?: boolean;
  onStart?(from: BinlogPosition, resumed: boolean): void;
  onBatch?(b: FollowBatch, mark: FollowMark): void;
}

/**
 * `migrate follow` as the CLI and the demo run it: from the last applied position (or where the
 * backfill began), once the binlog is known to be usable, skipping reverse's own writes, until the
 * signal (or, with untilCaughtUp, the position at the start) is reached.
 */
export async function runFollow(ctx: MigrateContext, o: FollowRunOptions): Promise<FollowMark> {
  const hooks = await loadHooks(ctx);
  const start = await followStartingPoint(ctx.store, ctx.tables.map((t) => t.name));
  const readiness = binlogReadiness(await ctx.source.binlogFacts(), start.from);
  if (!readiness.usable) {
    throw new StranglerError('STRANGLER_E_MIGRATE_BINLOG_UNUSABLE', `follow: the binlog of ${redactUrl(ctx.migrate.source)} cannot be followed: ${readiness.problems.join('; ')}`, {
      hint: readiness.notes.join('; '),
    });
  }
  const until = o.untilCaughtUp ? ((await ctx.source.binlogPosition()) ?? undefined) : undefined;
  o.onStart?.(start.from, !!start.previous);
  return follow({
    mappings: new Map(ctx.tables.map((t) => [t.name, t.mapping])),
    open: binlogOpener(ctx),
    from: start.from,
    ...(start.previous ? { previous: start.previous } : {}),
    sink: ctx.sink,
    toKey: ctx.toKey,
    store: ctx.store,
    deadLetters: createDeadLetterFile(resolveFromConfig(ctx.config, ctx.migrate.deadLetters)),
    batchRows: o.batchRows,
    maxWaitMs: o.maxWaitMs,
    skipServerIds: [ctx.migrate.reverse.serverId],
    ...(until ? { until } : {}),
    signal: o.signal,
    ...(o.onBatch ? { onBatch: o.onBatch } : {}),
    ...(hooks.length > 0 ? { hooks: { tables: hooks, target: ctx.target, retry: { ...DEFAULT_RETRY, budgetMs: ctx.migrate.follow.hookRetryMs } } } : {}),
  });
}

/** The followed tables' onChange modules, loaded before anything is read (a bad one changes nothing). */
async function loadHooks(ctx: MigrateContext): Promise<TableHook[]> {
  const hooks: TableHook[] = [];
  for (const t of ctx.tables) {
    const module = ctx.migrate.tables[t.name]?.onChange;
    if (module) hooks.push(await loadChangeHook(t.name, module, ctx.config.baseDir, `${ctx.config.file}: migrate.tables.${t.name}.onChange`));
  }
  return hooks;
}
