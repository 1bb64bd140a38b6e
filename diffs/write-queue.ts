/**
 * The write queue of the diff stores that write somewhere slow (store-file.ts, store-redis.ts):
 * append() masks and serialises a record and queues its line without waiting; one writer loop
 * writes the lines in batches, at most every COALESCE_MS (at once when a batch's worth waits: one
 * write per record, at a shadowing proxy's rate, cost the worker more than comparing did). What
 * waits is bounded in bytes: beyond it a record is dropped and counted, never queued without limit.
 * A batch that is not written is lost and counted, the first error reported once to onError; the
 * queue never throws.
 */
import type { DiffStore, DiffStoreStats } from './store-contract.js';
import { toStoredLine } from './stored-line.js';

const COALESCE_MS = 20;

/** Where a queue's batches go. */
export interface BatchWriter {
  /** Takes the next batch off the front of the queue (never none when the queue has lines). */
  take(queue: string[]): string[];
  /** Whether what waits is a batch's worth, to be written now rather than after COALESCE_MS. */
  full(lines: number, bytes: number): boolean;
  /**
   * Writes one batch: how many of its lines were stored, and the first error of those that were
   * not. A throw loses the whole batch.
   */
  write(batch: string[]): Promise<{ stored: number; error?: unknown }>;
  /** Waited for before the first write (a connection). */
  ready?: Promise<unknown>;
  /** Called by close() once the last batch is written (closes the file, the connection). */
  release(): Promise<void>;
}

export interface WriteQueueOptions {
  /** Fields masked before a record is kept (stored-line.ts). */
  redact?: readonly string[];
  /** Bound of the queue, in bytes of serialised records (default 8 MiB). */
  maxQueuedBytes?: number;
  onError?: (err: unknown) => void;
}

/** A diff store but its reading: append, flush, close (refuses records, writes what waits, releases the writer), stats. */
export type WriteQueue = Omit<DiffStore, 'records'>;

export function createWriteQueue(writer: BatchWriter, options: WriteQueueOptions): WriteQueue {
  const redact = options.redact ?? [];
  const maxQueued = options.maxQueuedBytes ?? 8 * 1024 * 1024;
  const queue: string[] = [];
  let queuedBytes = 0;
  let inFlight = 0;
  const stats: DiffStoreStats = { stored: 0, dropped: 0, failed: 0, queued: 0 };
  let writing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reported = false;
  let closed = false;

  const report = (err: unknown) => {
    if (reported) return;
    reported = true;
    options.onError?.(err);
  };

  async function drain(): Promise<void> {
    await writer.ready;
    while (queue.length > 0) {
      const batch = writer.take(queue);
      let bytes = 0;
      for (const line of batch) bytes += line.length;
      inFlight = batch.length;
      try {
        const { stored, error } = await writer.write(batch);
        stats.stored += stored;
        stats.failed += batch.length - stored;
        if (error !== undefined) report(error);
      } catch (err) {
        stats.failed += batch.length;
        report(err);
      } finally {
        // Lines in flight still hold memory: they count against the bound until written.
        queuedBytes -= bytes;
        inFlight = 0;
      }
    }
  }

  function kick(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    writing ??= drain().finally(() => {
      writing = undefined;
      if (queue.length > 0) kick();
    });
  }

  async function flush(): Promise<void> {
    if (queue.length > 0) kick();
    while (writing) await writing;
  }

  return {
    append(record) {
      if (closed) {
        stats.dropped++;
        return false;
      }
      let line: string;
      try {
        line = toStoredLine(record, redact);
      } catch (err) {
        stats.failed++;
        options.onError?.(err);
        return false;
      }
      if (queuedBytes + line.length > maxQueued) {
        stats.dropped++;
        return false;
      }
      queue.push(line);
      queuedBytes += line.length;
      if (writer.full(queue.length, queuedBytes)) kick();
      else if (writing === undefined && timer === undefined) timer = setTimeout(kick, COALESCE_MS);
      return true;
    },
    flush,
    async close() {
      closed = true;
      await flush();
      await writer.release();
    },
    stats: () => ({ ...stats, queued: queue.length + inFlight }),
  };
}
