import type { Key } from '@google-cloud/datastore';
import pLimit from 'p-limit';
import type { MapResult } from '../mapping/types.js';
import { CheckpointVanishedError, checkpointId, type Checkpoint, type CheckpointStore } from '../checkpoint/contract.js';
import type { DatastoreSink, EntityWrite } from '../datastore/sink.js';
import { keyOf, loadKey, showKey, storeKey, type KeyColumn, type KeyValue } from '../mysql/keyset.js';
import type { MysqlSource, Row } from '../mysql/source.js';
import { splitIntoCommits } from './batcher.js';
import { createChunkSizer } from './chunk-size.js';
import type { DeadLetterSink } from './dead-letters.js';
import { createHeapPacer } from './heap-pacer.js';
import { createInOrderTracker } from './in-order.js';
import type { RateLimiter } from './rate-limiter.js';
import { shardLabel, type Shard, type ShardRange } from './shard.js';

export interface CopyEvents {
  start?(e: { table: string; shard: string; total: number; resumedAt: number | null; watermark: string }): void;
  progress?(e: { table: string; shard: string; copied: number; total: number; rate: number; lastKey: string }): void;
  notice?(e: { table: string; shard: string; message: string }): void;
}

export interface CopyTableInput {
  table: string;
  kind: string;
  key: readonly KeyColumn[];
  shard: Shard;
  range: ShardRange;
  map: (row: Row) => MapResult;
  toKey: (path: Extract<MapResult, { ok: true }>['key']) => Key;
  source: MysqlSource;
  sink: DatastoreSink;
  store: CheckpointStore;
  deadLetters: DeadLetterSink;
  limiter: RateLimiter;
  /** Rows per Datastore commit (≤ 500; the byte cap may make commits smaller). */
  batchSize: number;
  /** Commits in flight at once. */
  concurrency: number;
  /** Reads and maps but writes nothing to Datastore. */
  dryRun: boolean;
  /** Ignore this shard's checkpoint and start over. */
  restart?: boolean;
  chunkTargetMs?: number;
  /** Counted into the checkpoint; the adapters' retry hooks bump it. */
  retries: { count: number };
  events?: CopyEvents;
  now?: () => Date;
}

export interface CopyTableResult {
  table: string;
  kind: string;
  shard: string;
  /** Rows written by this run. */
  copied: number;
  /** Rows written so far by all runs of this shard. */
  totalCopied: number;
  rowsTotal: number;
  deadLetters: number;
  retries: number;
  ms: number;
  /** The shard was finished by an earlier run: nothing to do. */
  alreadyDone: boolean;
  lastKey: string | null;
}

/** A chunk read from MySQL and its commits, tracked until all are written. */
interface Chunk {
  rows: number;
  written: number;
  lastKey: KeyValue[];
  deadLetters: number;
}

const MAX_TARGET_RESETS = 3;
/** The most rows one chunk reads: with at most 2 × concurrency commits queued behind it, this is
 * what bounds memory, whatever the table size. */
const MAX_CHUNK_ROWS = 5_000;

/**
 * Copies one table (or one shard of it): keyset chunks from MySQL, mapped, split into capped
 * commits that run concurrently under p-limit, a checkpoint after each chunk committed in order.
 * Reading goes on while commits are in flight, bounded to twice the concurrency in commits so
 * memory stays flat however large the table.
 */
export async function copyTable(input: CopyTableInput): Promise<CopyTableResult> {
  const now = input.now ?? (() => new Date());
  const started = performance.now();
  const shard = shardLabel(input.shard);
  const id = checkpointId(input.table, shard);
  let cp = input.restart ? undefined : await input.store.get(id);
  if (cp?.done) {
    return { table: input.table, kind: input.kind, shard, copied: 0, totalCopied: cp.rowsCopied, rowsTotal: cp.rowsTotal, deadLetters: 0, retries: 0, ms: 0, alreadyDone: true, lastKey: cp.lastKey && showKey(loadKey(cp.lastKey)) };
  }
  const resumedAt = cp ? cp.rowsCopied : null;
  if (!cp) cp = await freshCheckpoint(input, id, shard, now);
  input.events?.start?.({ table: input.table, shard, total: cp.rowsTotal, resumedAt, watermark: cp.watermark });

  let copiedThisRun = 0;
  let deadThisRun = 0;
  for (let resets = 0; ; resets++) {
    try {
      const r = await copyFrom(input, cp, now);
      copiedThisRun += r.copied;
      deadThisRun += r.deadLetters;
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
      cp = await freshCheckpoint(input, id, shard, now, cp.watermark); // the earliest start stays the sync point
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
    retries: input.retries.count,
    ms: Math.round(performance.now() - started),
    alreadyDone: false,
    lastKey: cp.lastKey && showKey(loadKey(cp.lastKey)),
  };
}

async function freshCheckpoint(input: CopyTableInput, id: string, shard: string, now: () => Date, keepWatermark?: string): Promise<Checkpoint> {
  // The watermark is read before the first row: anything changed after it is sync's to catch.
  const watermark = keepWatermark ?? (await input.source.utcNow());
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
    watermark,
    startedAt: at,
    updatedAt: at,
    rate: 0,
    done: false,
  };
  await input.store.put(cp);
  return cp;
}

async function copyFrom(input: CopyTableInput, start: Checkpoint, now: () => Date): Promise<{ copied: number; deadLetters: number; checkpoint: Checkpoint }> {
  const cp: Checkpoint = structuredClone(start);
  const shard = cp.shard;
  const limit = pLimit(input.concurrency);
  const sizer = createChunkSizer(Math.max(input.batchSize * input.concurrency, 1000), { targetMs: input.chunkTargetMs ?? 1000, min: input.batchSize, max: MAX_CHUNK_ROWS });
  const tracker = createInOrderTracker<Chunk>();
  const inFlight = new Set<Promise<void>>();
  const commits = new Set<Promise<unknown>>();
  let failure: unknown;
  let copied = 0;
  let dead = 0;
  // Checkpoint writes are chained so that they land in order; only the latest state matters.
  let saving: Promise<void> = Promise.resolve();
  const rate = { since: performance.now(), rows: 0 };

  const onChunkDone = (seq: number) => {
    const released = tracker.complete(seq);
    if (released.length === 0) return;
    for (const c of released) {
      cp.lastKey = storeKey(c.lastKey);
      cp.rowsCopied += c.written;
      cp.deadLetters += c.deadLetters;
      copied += c.written;
      dead += c.deadLetters;
      rate.rows += c.rows;
    }
    const elapsed = (performance.now() - rate.since) / 1000;
    cp.rate = elapsed > 0 ? Math.round(rate.rows / elapsed) : 0;
    cp.updatedAt = now().toISOString();
    cp.retries = input.retries.count;
    const snapshot = structuredClone(cp);
    saving = saving.then(() => input.store.update(snapshot));
    saving.catch((err) => (failure ??= err));
    input.events?.progress?.({ table: cp.table, shard, copied: cp.rowsCopied, total: cp.rowsTotal, rate: cp.rate, lastKey: showKey(loadKey(snapshot.lastKey!)) });
  };

  let after: KeyValue[] | null = cp.lastKey ? loadKey(cp.lastKey) : null;
  let lastRead = performance.now();
  const pacer = createHeapPacer();
  while (failure === undefined) {
    // Backpressure: at most one round of commits queued behind the ones running, enough to keep
    // every slot busy while the next chunk is read, few enough that entities die young (a deeper
    // queue gets them promoted to the old generation, and RSS then grows with the table).
    while (limit.pendingCount >= input.concurrency && failure === undefined) await Promise.race(commits);
    if (failure !== undefined) break;
    pacer.check();
    const rows = await input.source.readChunk({ table: input.table, key: input.key, after, range: cp.range, limit: sizer.size });
    if (rows.length === 0) break;
    after = keyOf(rows[rows.length - 1]!, input.key);
    const chunk: Chunk = { rows: rows.length, written: 0, lastKey: after, deadLetters: 0 };
    const writes: EntityWrite[] = [];
    for (const row of rows) {
      const m = input.map(row);
      if (m.ok) writes.push({ key: input.toKey(m.key), data: m.data, excludeFromIndexes: m.excludeFromIndexes, approxBytes: m.approxBytes });
      else {
        input.deadLetters.write({ table: input.table, kind: input.kind, key: m.key, reason: m.reason });
        chunk.deadLetters++;
      }
    }
    const seq = tracker.add(chunk);
    const done: Promise<void>[] = [];
    for (const batch of splitIntoCommits(writes, input.batchSize)) {
      await input.limiter.acquire(batch.length);
      const commit = limit(async () => {
          if (failure !== undefined) return;
          if (input.dryRun) {
            chunk.written += batch.length;
            return;
          }
          const rejected = await input.sink.upsert(batch);
          for (const r of rejected) input.deadLetters.write({ table: input.table, kind: input.kind, key: showEntityKey(r.item.key), reason: r.reason });
          chunk.written += batch.length - rejected.length;
          chunk.deadLetters += rejected.length;
          pacer.check();
        });
      done.push(commit);
      commits.add(commit);
      // The chunk's own handler below reports a failure; this one only keeps the set current.
      void commit.then(
        () => commits.delete(commit),
        () => commits.delete(commit),
      );
    }
    const settled: Promise<void> = Promise.all(done).then(
      () => {
        if (failure === undefined) onChunkDone(seq);
      },
      (err) => void (failure ??= err),
    );
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
    const t = performance.now();
    sizer.observe(rows.length, t - lastRead);
    lastRead = t;
  }
  await Promise.all(inFlight);
  await saving.catch((err) => (failure ??= err));
  if (failure !== undefined) throw failure;
  return { copied, deadLetters: dead, checkpoint: cp };
}

function showEntityKey(key: Key): string {
  const parts: string[] = [];
  for (let k: Key | undefined = key; k; k = k.parent) parts.unshift(`${k.kind}:${k.id ?? k.name}`);
  return parts.join('/');
}
