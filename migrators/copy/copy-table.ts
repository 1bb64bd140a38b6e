import { CheckpointVanishedError, checkpointId, type Checkpoint } from '../checkpoint/contract.js';
import { shardLabel } from '../keys/shard.js';
import { loadKey, showKey } from '../keys/stored-key.js';
import { copyFrom } from './chunk-pipeline.js';
import type { CopyTableInput, CopyTableResult } from './copy-input.js';

const MAX_TARGET_RESETS = 3;

/**
 * Copies one table (or one shard of it) from its checkpoint, or from the start with a fresh one
 * (watermark first), through the chunk pipeline (chunk-pipeline.ts); marks it done at the end. If
 * the checkpoint vanishes from the target on the way, the shard is copied again from its start.
 */
export async function copyTable(input: CopyTableInput): Promise<CopyTableResult> {
  const now = input.now ?? (() => new Date());
  const started = performance.now();
  const shard = shardLabel(input.shard);
  const id = checkpointId(input.table, shard);
  let cp = input.restart ? undefined : await input.store.get(id);
  if (cp?.done) {
    return { table: input.table, kind: input.kind, shard, copied: 0, totalCopied: cp.rowsCopied, rowsTotal: cp.rowsTotal, deadLetters: 0, zeroDates: 0, retries: 0, ms: 0, alreadyDone: true, lastKey: cp.lastKey && showKey(loadKey(cp.lastKey)) };
  }
  const resumedAt = cp ? cp.rowsCopied : null;
  if (!cp) cp = await freshCheckpoint(input, id, shard, now);
  input.events?.start?.({ table: input.table, shard, total: cp.rowsTotal, resumedAt, watermark: cp.watermark });

  let copiedThisRun = 0;
  let deadThisRun = 0;
  let zeroDatesThisRun = 0;
  for (let resets = 0; ; resets++) {
    try {
      const r = await copyFrom(input, cp, now);
      copiedThisRun += r.copied;
      deadThisRun += r.deadLetters;
      zeroDatesThisRun += r.zeroDates;
      cp = r.checkpoint;
      cp.done = true;
      cp.updatedAt = now().toISOString();
      cp.retries = input.retries.count;
      await input.store.update(cp);
      break;
    } catch (err) {
      if (!(err instanceof CheckpointVanishedError) || resets >= MAX_TARGET_RESETS) throw err;
      // The target lost our checkpoint (an emulator restart, a wiped namespace, someone's
      // --restart): what it holds can no longer be trusted, so copy the shard again from its start.
      input.events?.notice?.({ table: input.table, shard, message: 'checkpoint vanished from the target (target reset?): copying this shard again from its start' });
      cp = await freshCheckpoint(input, id, shard, now, { watermark: cp.watermark, binlog: cp.binlog ?? null }); // the earliest start stays the sync point
    }
  }
  return {
    table: input.table,
    kind: input.kind,
    shard,
    copied: copiedThisRun,
    totalCopied: cp.rowsCopied,
    rowsTotal: cp.rowsTotal,
    deadLetters: deadThisRun,
    zeroDates: zeroDatesThisRun,
    retries: input.retries.count,
    ms: Math.round(performance.now() - started),
    alreadyDone: false,
    lastKey: cp.lastKey && showKey(loadKey(cp.lastKey)),
  };
}

async function freshCheckpoint(input: CopyTableInput, id: string, shard: string, now: () => Date, keep?: { watermark: string; binlog: Checkpoint['binlog'] }): Promise<Checkpoint> {
  // The binlog position and the watermark are read before the first row: anything changed after
  // them is follow's (or sync's) to catch.
  const binlog = keep ? keep.binlog : ((await input.binlogPosition?.()) ?? null);
  const watermark = keep?.watermark ?? (await input.source.utcNow());
  const rowsTotal = await input.source.count(input.table, input.key, input.range);
  const at = now().toISOString();
  const cp: Checkpoint = {
    id,
    table: input.table,
    kind: input.kind,
    shard,
    range: input.range,
    lastKey: null,
    rowsCopied: 0,
    rowsTotal,
    deadLetters: 0,
    retries: 0,
    binlog,
    watermark,
    startedAt: at,
    updatedAt: at,
    rate: 0,
    done: false,
  };
  await input.store.put(cp);
  return cp;
}
