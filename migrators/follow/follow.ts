import type { Key } from '@google-cloud/datastore';
import { FOLLOW_STREAM, type CheckpointStore, type FollowMark } from '../checkpoint/contract.js';
import { splitIntoCommits } from '../copy/batcher.js';
import type { DeadLetterSink } from '../copy/dead-letters.js';
import type { DatastoreSink, EntityWrite } from '../datastore/sink.js';
import type { KeyPath, TableMapping } from '../mapping/types.js';
import type { BinlogStream, BinlogStreamOptions, Transaction } from './binlog-stream.js';
import { toMutations, type Mutation } from './change-batch.js';
import { changesByTable, runHooks, type TableHook } from './change-hook.js';
import type { ChangeTarget } from '../datastore/change-target.js';
import type { RetryPolicy } from '../retry/retry.js';
import { compareBinlogPositions, type BinlogPosition } from '../mysql/binlog-position.js';


export interface FollowBatch {
  transactions: number;
  upserts: number;
  deletes: number;
  deadLetters: number;
  skipped: number;
  lagSeconds: number;
  at: BinlogPosition;
}

export interface FollowInput {
  mappings: ReadonlyMap<string, TableMapping>;
  open(o: Pick<BinlogStreamOptions, 'from' | 'onTransaction' | 'onPosition' | 'onError'>): Promise<BinlogStream>;
  from: BinlogPosition;
  /** The mark to carry the totals on from (a resumed follow). */
  previous?: FollowMark;
  sink: DatastoreSink;
  toKey(path: KeyPath): Key;
  store: CheckpointStore;
  deadLetters: DeadLetterSink;
  /** Rows per applied batch (whole transactions: a larger one is applied whole). */
  batchRows: number;
  /** How long a change waits for more to batch with. */
  maxWaitMs: number;
  /** Session server_ids whose writes are not followed (reverse's own: no loop). */
  skipServerIds: readonly number[];
  /** Stop once everything up to here is applied (--until-caught-up). */
  until?: BinlogPosition;
  signal: AbortSignal;
  onBatch?(b: FollowBatch, mark: FollowMark): void;
  /** Tables' onChange hooks (change-hook.ts): called with each applied batch's changes of their
   * table after its writes and before its checkpoint. */
  hooks?: { tables: readonly TableHook[]; target: ChangeTarget; retry?: RetryPolicy; sleep?: (ms: number) => Promise<void> };
  now?: () => number;
}

/**
 * Change data capture: the binlog from `from` on, applied to Datastore in batches through the same
 * mapping as `run`. After each batch is written the position is checkpointed, so a follow killed at
 * any moment resumes from the last applied transaction: a change may be applied twice (an upsert of
 * the same full row, or a delete), never lost, and never out of order per key (batches run one after
 * another; within one the last change of a key wins). The tables' onChange hooks run between a
 * batch's writes and its checkpoint, so they too see every change at least once, in order.
 */
export async function follow(input: FollowInput): Promise<FollowMark> {
  const now = input.now ?? Date.now;
  const skip = new Set(input.skipServerIds);
  const queue: Transaction[] = [];
  let queuedRows = 0;
  let seen: BinlogPosition = input.from;
  let failure: Error | undefined;
  let wake: () => void = () => undefined;
  const poke = () => wake();
  const mark: FollowMark = {
    stream: FOLLOW_STREAM,
    upserts: 0,
    deletes: 0,
    deadLetters: 0,
    skipped: 0,
    ...input.previous,
    file: input.from.file,
    position: input.from.position,
    lagSeconds: 0,
    updatedAt: new Date(now()).toISOString(),
  };
  let skippedSinceMark = 0;

  let stream: BinlogStream | undefined;
  stream = await input.open({
    from: input.from,
    onTransaction(tx) {
      if (tx.serverId !== undefined && skip.has(tx.serverId)) {
        skippedSinceMark++;
        return;
      }
      queue.push(tx);
      queuedRows += tx.changes.length;
      if (queuedRows > input.batchRows * 20) stream?.pause();
      poke();
    },
    onPosition(p) {
      seen = p;
      poke();
    },
    onError(err) {
      failure = err;
      poke();
    },
  });
  const onAbort = () => poke();
  input.signal.addEventListener('abort', onAbort);
  try {
    let oldestAt = 0;
    for (;;) {
      if (failure) throw failure;
      const caughtUp = queue.length === 0 && (!input.until || compareBinlogPositions(seen, input.until) >= 0);
      if (input.signal.aborted && queue.length === 0) break;
      if (input.until && caughtUp) {
        await save(seen, 0, 0);
        break;
      }
      if (queue.length === 0) {
        // Idle: everything seen is applied; move the mark on now and then so a restart skips what
        // was filtered out, and say the lag is nil.
        if (compareBinlogPositions(seen, { file: mark.file, position: mark.position }) > 0 && now() - Date.parse(mark.updatedAt) > 5000) await save(seen, 0, 0);
        await sleepUntilPoked(1000);
        continue;
      }
      if (oldestAt === 0) oldestAt = now();
      if (queuedRows < input.batchRows && now() - oldestAt < input.maxWaitMs && !input.signal.aborted) {
        await sleepUntilPoked(Math.max(1, input.maxWaitMs - (now() - oldestAt)));
        continue;
      }
      const batch: Transaction[] = [];
      let rows = 0;
      while (queue.length > 0 && (batch.length === 0 || rows + queue[0]!.changes.length <= input.batchRows)) {
        const tx = queue.shift()!;
        batch.push(tx);
        rows += tx.changes.length;
      }
      queuedRows -= rows;
      oldestAt = queue.length > 0 ? now() : 0;
      if (queuedRows <= input.batchRows * 20) stream.resume();
      const last = batch[batch.length - 1]!;
      const applied = await apply(batch, last.after);
      // Behind by the age of the last applied commit (the binlog's clock counts whole seconds).
      await save(last.after, Math.max(0, (now() - last.committedAt) / 1000), batch.length, applied);
    }
  } finally {
    input.signal.removeEventListener('abort', onAbort);
    await stream.stop();
  }
  return mark;

  function sleepUntilPoked(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = () => undefined;
        resolve();
      }
      wake = done;
    });
  }

  async function apply(batch: readonly Transaction[], at: BinlogPosition): Promise<{ upserts: number; deletes: number; deadLetters: number }> {
    const mutations = toMutations(batch.flatMap((tx) => tx.changes), input.mappings);
    const writes: (EntityWrite & { table: string; kind: string })[] = [];
    const deletes: Key[] = [];
    const keys = new Map<Mutation, Key>();
    const refused = new Set<Key>();
    let dead = 0;
    for (const m of mutations) {
      if (m.op !== 'dead') keys.set(m, input.toKey(m.key));
      if (m.op === 'upsert') writes.push({ key: keys.get(m)!, data: m.entity.data, excludeFromIndexes: m.entity.excludeFromIndexes, approxBytes: m.entity.approxBytes, table: m.table, kind: m.kind });
      else if (m.op === 'delete') deletes.push(keys.get(m)!);
      else {
        input.deadLetters.write({ table: m.table, kind: m.kind, key: m.key, reason: m.reason });
        dead++;
      }
    }
    for (const commit of splitIntoCommits(writes)) {
      const rejected = await input.sink.upsert(commit);
      for (const r of rejected) {
        input.deadLetters.write({ table: r.item.table, kind: r.item.kind, key: String(r.item.key.id ?? r.item.key.name), reason: r.reason });
        refused.add(r.item.key);
      }
      dead += rejected.length;
    }
    for (let i = 0; i < deletes.length; i += 500) await input.sink.delete(deletes.slice(i, i + 500));
    if (input.hooks) {
      const { tables, target, retry, sleep } = input.hooks;
      const changes = changesByTable(mutations, (m) => !refused.has(keys.get(m)!), tables, input.mappings, (m) => keys.get(m)!);
      await runHooks(tables, changes, target, { at: `${at.file}:${at.position}`, ...(retry ? { retry } : {}), ...(sleep ? { sleep } : {}), now });
    }
    return { upserts: writes.length - (dead - mutations.filter((m) => m.op === 'dead').length), deletes: deletes.length, deadLetters: dead };
  }

  async function save(at: BinlogPosition, lagSeconds: number, transactions: number, applied = { upserts: 0, deletes: 0, deadLetters: 0 }): Promise<void> {
    mark.file = at.file;
    mark.position = at.position;
    mark.lagSeconds = Math.round(lagSeconds * 10) / 10;
    mark.upserts += applied.upserts;
    mark.deletes += applied.deletes;
    mark.deadLetters += applied.deadLetters;
    mark.skipped += skippedSinceMark;
    const skipped = skippedSinceMark;
    skippedSinceMark = 0;
    mark.updatedAt = new Date(now()).toISOString();
    await input.store.putStreamMark(mark);
    input.onBatch?.({ transactions, ...applied, skipped, lagSeconds: mark.lagSeconds, at }, mark);
  }
}
