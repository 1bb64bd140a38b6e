import type { Key } from '@google-cloud/datastore';
import { StranglerError, describeCause } from '../../core/errors.js';
import type { ChangeTarget } from '../datastore/change-target.js';
import { loadModuleFunction } from '../mapping/load-module.js';
import { mapRow } from '../mapping/map-row.js';
import type { TableMapping } from '../mapping/types.js';
import { withRetry, DEFAULT_RETRY, type RetryPolicy } from '../retry/retry.js';
import { grpcCode, isTransientDatastoreError } from '../retry/transient.js';
import type { Mutation } from './change-batch.js';

/**
 * One change `migrate follow` has applied to Datastore, as a table's onChange hook receives it: the
 * last change of the batch to one entity, with the entity's properties (mapped as `run` maps them:
 * Int, Double, Date… values) before the batch and after it.
 */
export interface AppliedChange {
  table: string;
  kind: string;
  key: Key;
  /** insert: no entity before the batch; update: one before and after; delete: none after. */
  op: 'insert' | 'update' | 'delete';
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/**
 * The default export of an `onChange` module. Called once per applied batch that changed the
 * table, after the batch's entity writes have committed and before its binlog position is
 * checkpointed: a follow killed in between hands the same changes to the hook again (at least
 * once), so the hook must be idempotent (set, not increment). A throw fails the batch.
 */
export type ChangeHook = (changes: readonly AppliedChange[], target: ChangeTarget) => Promise<void> | void;

export interface TableHook {
  table: string;
  /** The module path from the config, for messages. */
  module: string;
  hook: ChangeHook;
}

/** Loads a table's `onChange` module (relative to the config file's folder). */
export async function loadChangeHook(table: string, modulePath: string, baseDir: string, at: string): Promise<TableHook> {
  const hook = (await loadModuleFunction(modulePath, baseDir, at, { code: 'STRANGLER_E_MIGRATE_ON_CHANGE', signature: 'async function (changes, target) {}' })) as unknown as ChangeHook;
  return { table, module: modulePath, hook };
}

/** The properties of a row as `run` maps them, or undefined when it cannot be mapped. */
function properties(mapping: TableMapping, row: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!row) return undefined;
  const m = mapRow(mapping, row);
  return m.ok ? m.data : undefined;
}

/**
 * A batch's written mutations → the changes each hooked table's hook receives, in batch order.
 * Dead letters (and upserts Datastore refused: `written` says which were) were not applied, so no
 * hook hears of them.
 */
export function changesByTable(mutations: readonly Mutation[], written: (m: Mutation) => boolean, hooks: readonly TableHook[], mappings: ReadonlyMap<string, TableMapping>, toKey: (m: Extract<Mutation, { op: 'upsert' | 'delete' }>) => Key): Map<string, AppliedChange[]> {
  const hooked = new Set(hooks.map((h) => h.table));
  const out = new Map<string, AppliedChange[]>();
  for (const m of mutations) {
    if (m.op === 'dead' || !hooked.has(m.table) || !written(m)) continue;
    const mapping = mappings.get(m.table)!;
    const before = properties(mapping, m.before);
    const change: AppliedChange =
      m.op === 'delete'
        ? { table: m.table, kind: m.kind, key: toKey(m), op: 'delete', ...(before ? { before } : {}) }
        : { table: m.table, kind: m.kind, key: toKey(m), op: m.before ? 'update' : 'insert', ...(before ? { before } : {}), after: m.entity.data };
    let list = out.get(m.table);
    if (!list) out.set(m.table, (list = []));
    list.push(change);
  }
  return out;
}

export interface HookRunOptions {
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Where the batch ends, for the message. */
  at: string;
}

/**
 * Each hooked table's changes to its hook, one table after another in the order of `hooks`. A throw
 * is retried (the hook is idempotent) with backoff within the budget, then the follow stops with
 * STRANGLER_E_MIGRATE_ON_CHANGE_FAILED — at once when Datastore itself refused the hook's write
 * for good (a gRPC code that is not transient: INVALID_ARGUMENT, an entity too large…), which
 * would fail the same way for the whole budget. An error without a gRPC code is the hook's own
 * and may be passing: it is retried.
 */
function hookMayPass(err: unknown): boolean {
  return grpcCode(err) === undefined || isTransientDatastoreError(err);
}

export async function runHooks(hooks: readonly TableHook[], changes: ReadonlyMap<string, readonly AppliedChange[]>, target: ChangeTarget, o: HookRunOptions): Promise<void> {
  for (const h of hooks) {
    const mine = changes.get(h.table);
    if (!mine || mine.length === 0) continue;
    let attempts = 0;
    try {
      await withRetry(
        async () => {
          attempts++;
          await h.hook(mine, target);
        },
        { isTransient: hookMayPass, ...(o.sleep ? { sleep: o.sleep } : {}), ...(o.now ? { now: o.now } : {}) },
        o.retry ?? DEFAULT_RETRY,
      );
    } catch (err) {
      throw new StranglerError('STRANGLER_E_MIGRATE_ON_CHANGE_FAILED', `follow: the onChange hook of ${h.table} (${h.module}) failed ${attempts} time(s) on a batch of ${mine.length} change(s) (${o.at}): ${describeCause(err)}`, {
        cause: err,
        hint: 'fix the hook and start migrate follow again: it resumes at the last checkpoint and hands the hook these changes again (a hook must be idempotent)',
        details: { table: h.table, module: h.module },
      });
    }
  }
}
