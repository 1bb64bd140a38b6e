import type { Key } from '@google-cloud/datastore';
import pLimit from 'p-limit';
import type { Checkpoint } from '../checkpoint/contract.js';
import type { EntityWrite } from '../datastore/sink.js';
import { keyOf, type KeyValue } from '../keys/key.js';
import { loadKey, showKey, storeKey } from '../keys/stored-key.js';
import { splitIntoCommits } from './batcher.js';
import { createChunkSizer } from './chunk-size.js';
import type { CopyTableInput } from './copy-input.js';
import { createHeapPacer } from './heap-pacer.js';
import { createInOrderTracker } from './in-order.js';

/** A chunk read from MySQL and its commits, tracked until all are written. */
interface Chunk {
  rows: number;
  written: number;
  lastKey: KeyValue[];
  deadLetters: number;
  /** Zero dates the mapping turned into null in this chunk's rows. */
  zeroDates: number;
}

/** The most rows one chunk reads: with at most one round of commits queued behind it, this is
 * what bounds memory, whatever the table size. */
const MAX_CHUNK_ROWS = 5_000;

/**
 * Copies from the checkpoint on: keyset chunks read in order, mapped and committed concurrently,
 * the checkpoint moved past a chunk once it and every chunk before it are committed. Reading goes on
 * while commits are in flight, bounded so that memory stays flat however large the table.
 */
export async function copyFrom(input: CopyTableInput, start: Checkpoint, now: () => Date): Promise<{ copied: number; deadLetters: number; zeroDates: number; checkpoint: Checkpoint }> {
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
  let zeroDates = 0;
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
      cp.zeroDates = (cp.zeroDates ?? 0) + c.zeroDates;
      copied += c.written;
      dead += c.deadLetters;
      zeroDates += c.zeroDates;
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
    const chunk: Chunk = { rows: rows.length, written: 0, lastKey: after, deadLetters: 0, zeroDates: 0 };
    const seq = tracker.add(chunk);
    const done: Promise<void>[] = [];
    // Map and dispatch one commit's worth of rows at a time, yielding in between: mapping a whole
    // chunk in one go would block the event loop while finished commits wait to be answered and
    // the next ones to start, leaving Datastore idle.
    for (let i = 0; i < rows.length; i += input.batchSize) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      const writes: EntityWrite[] = [];
      for (const row of rows.slice(i, i + input.batchSize)) {
        const m = input.map(row);
        if (m.ok) {
          writes.push({ key: input.toKey(m.key), data: m.data, excludeFromIndexes: m.excludeFromIndexes, approxBytes: m.approxBytes });
          chunk.zeroDates += m.zeroDates;
        } else {
          input.deadLetters.write({ table: input.table, kind: input.kind, key: m.key, reason: m.reason });
          chunk.deadLetters++;
        }
      }
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
  return { copied, deadLetters: dead, zeroDates, checkpoint: cp };
}

function showEntityKey(key: Key): string {
  const parts: string[] = [];
  for (let k: Key | undefined = key; k; k = k.parent) parts.unshift(`${k.kind}:${k.id ?? k.name}`);
  return parts.join('/');
}
