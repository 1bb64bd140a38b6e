/**
 * The JSONL diff store: one record per line, appended by a single writer loop, the file rotated past
 * maxFileBytes (FILE → FILE.1 → … → FILE.maxFiles, the oldest dropped). Memory is bounded by a write
 * queue of at most maxQueuedBytes of serialised lines; beyond it a record is dropped and counted, never
 * queued without limit. A write error loses the batch (counted, reported once to onError), never throws.
 */
import { mkdirSync } from 'node:fs';
import { open, rename, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { readRecords, rotatedFiles } from './jsonl-read.js';
import type { DiffStore, DiffStoreStats } from './store-contract.js';
import { toStoredLine } from './stored-line.js';

export interface FileDiffStoreOptions {
  path: string;
  maxFileBytes: number;
  /** Rotated files kept besides the current one. */
  maxFiles: number;
  redact?: readonly string[];
  /** Bound of the write queue, in bytes of serialised records. */
  maxQueuedBytes?: number;
  onError?: (err: unknown) => void;
}

const BATCH_BYTES = 1024 * 1024;
const COALESCE_MS = 20;

export function createFileDiffStore(options: FileDiffStoreOptions): DiffStore {
  const file = options.path;
  const redact = options.redact ?? [];
  const maxQueued = options.maxQueuedBytes ?? 8 * 1024 * 1024;
  const queue: string[] = [];
  let queuedBytes = 0;
  let inFlight = 0;
  const stats: DiffStoreStats = { stored: 0, dropped: 0, failed: 0, queued: 0 };
  let fh: FileHandle | undefined;
  let size = 0;
  let writing: Promise<void> | undefined;
  let reportedError = false;
  let closed = false;

  async function ensureOpen(): Promise<FileHandle> {
    if (fh) return fh;
    mkdirSync(path.dirname(file), { recursive: true });
    fh = await open(file, 'a');
    size = (await fh.stat()).size;
    return fh;
  }

  async function rotate(): Promise<void> {
    await fh?.close();
    fh = undefined;
    for (let i = options.maxFiles - 1; i >= 1; i--) {
      const from = `${file}.${i}`;
      if (await stat(from).then(() => true, () => false)) await rename(from, `${file}.${i + 1}`);
    }
    if (options.maxFiles >= 1) await rename(file, `${file}.1`);
    else await (await open(file, 'w')).close(); // keep no history: start the file again
    await ensureOpen();
  }

  /** Writes lines, rotating before a line that would take the file past its bound. */
  async function writeBatch(lines: string[]): Promise<void> {
    let chunk = '';
    let chunkBytes = 0;
    let count = 0;
    const flushChunk = async () => {
      if (chunkBytes === 0) return;
      await (await ensureOpen()).appendFile(chunk);
      size += chunkBytes;
      stats.stored += count;
      chunk = '';
      chunkBytes = 0;
      count = 0;
    };
    await ensureOpen();
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      if (size + chunkBytes > 0 && size + chunkBytes + bytes > options.maxFileBytes) {
        await flushChunk();
        await rotate();
      }
      chunk += line + '\n';
      chunkBytes += bytes;
      count++;
    }
    await flushChunk();
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      let n = 0;
      let bytes = 0;
      while (n < queue.length && bytes < BATCH_BYTES) bytes += queue[n++]!.length;
      const batch = queue.splice(0, n);
      inFlight = batch.length;
      try {
        await writeBatch(batch);
      } catch (err) {
        stats.failed += batch.length;
        fh = undefined; // reopen on the next batch
        if (!reportedError) {
          reportedError = true;
          options.onError?.(err);
        }
      } finally {
        // Lines in flight still hold memory: they count against the bound until written.
        queuedBytes -= bytes;
        inFlight = 0;
      }
    }
  }

  function kick(): void {
    writing ??= drain().finally(() => {
      writing = undefined;
      if (queue.length > 0) kick();
    });
  }

  /**
   * Lines are written in batches at most every COALESCE_MS (or at once past a batch's worth): one
   * write per record, at a shadowing proxy's rate, cost the worker more than comparing did.
   */
  let timer: NodeJS.Timeout | undefined;
  function soon(): void {
    if (writing !== undefined || timer !== undefined) return;
    if (queuedBytes >= BATCH_BYTES) return kick();
    timer = setTimeout(now, COALESCE_MS);
  }
  function now(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    kick();
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
      soon();
      return true;
    },
    async flush() {
      if (queue.length > 0) now();
      while (writing) await writing;
    },
    async close() {
      closed = true;
      if (queue.length > 0) now();
      while (writing) await writing;
      await fh?.close();
      fh = undefined;
    },
    records: () => readRecords(rotatedFiles(file, options.maxFiles)),
    stats: () => ({ ...stats, queued: queue.length + inFlight }),
  };
}
