/**
 * The JSONL diff store: one record per line, appended by a single writer loop, the file rotated past
 * maxFileBytes (FILE → FILE.1 → … → FILE.maxFiles, the oldest dropped). The batching, the bound on
 * memory and the counting of what is lost are the write queue's (write-queue.ts).
 */
import { mkdirSync } from 'node:fs';
import { open, rename, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { readRecords, rotatedFiles } from './jsonl-read.js';
import type { DiffStore } from './store-contract.js';
import { createWriteQueue, type WriteQueueOptions } from './write-queue.js';

/** With the write queue's: redact, maxQueuedBytes, onError. */
export interface FileDiffStoreOptions extends WriteQueueOptions {
  path: string;
  maxFileBytes: number;
  /** Rotated files kept besides the current one. */
  maxFiles: number;
}

const BATCH_BYTES = 1024 * 1024;

export function createFileDiffStore(options: FileDiffStoreOptions): DiffStore {
  const file = options.path;
  let fh: FileHandle | undefined;
  let size = 0;

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
  async function writeBatch(lines: string[]): Promise<{ stored: number; error?: unknown }> {
    let stored = 0;
    let chunk = '';
    let chunkBytes = 0;
    let count = 0;
    const flushChunk = async () => {
      if (chunkBytes === 0) return;
      await (await ensureOpen()).appendFile(chunk);
      size += chunkBytes;
      stored += count;
      chunk = '';
      chunkBytes = 0;
      count = 0;
    };
    try {
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
      return { stored };
    } catch (error) {
      fh = undefined; // reopen on the next batch
      return { stored, error };
    }
  }

  const queue = createWriteQueue(
    {
      take: (lines) => {
        let n = 0;
        let bytes = 0;
        while (n < lines.length && bytes < BATCH_BYTES) bytes += lines[n++]!.length;
        return lines.splice(0, n);
      },
      full: (_lines, bytes) => bytes >= BATCH_BYTES,
      write: writeBatch,
      async release() {
        await fh?.close();
        fh = undefined;
      },
    },
    options,
  );

  return { ...queue, records: () => readRecords(rotatedFiles(file, options.maxFiles)) };
}
