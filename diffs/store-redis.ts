/**
 * The diff store shared by proxy replicas: one Redis stream that every replica appends to (XADD with
 * MAXLEN ~ maxLen: Redis trims the oldest entries itself, so there is no rotation for writers to race
 * on, and the report reads one place, oldest first, with XRANGE). Chosen over per-replica files that
 * the report merges because replicas on Kubernetes have no shared disk, and pods come and go with
 * their files. Like the file store it takes records without waiting through the write queue
 * (write-queue.ts: batches, a bound on memory, what is lost counted and never thrown): a batch that
 * Redis does not take is lost and counted, once reported to onError.
 */
import { Redis } from 'ioredis';
import type { DiffStore } from './store-contract.js';
import type { DiffRecord } from './types.js';
import { createWriteQueue, type WriteQueueOptions } from './write-queue.js';

/** With the write queue's: redact, maxQueuedBytes, onError. */
export interface RedisDiffStoreOptions extends WriteQueueOptions {
  url: string;
  /** The stream's key. */
  key: string;
  /** Entries the stream keeps, about (trimmed by whole nodes, never below this). */
  maxLen: number;
}

const BATCH = 500;
/** Entries read per XRANGE call. */
const PAGE = 1000;

export function createRedisDiffStore(options: RedisDiffStoreOptions): DiffStore {
  // No offline queue and no resending: a record either reaches the stream once or is counted lost,
  // never written twice (a report would count the pair twice) nor held in memory while Redis is away.
  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: 5000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  redis.on('error', () => undefined); // a failed batch is counted and reported by the queue
  const connected = redis.connect().catch(() => undefined);

  const queue = createWriteQueue(
    {
      take: (lines) => lines.splice(0, BATCH),
      full: (lines) => lines >= BATCH,
      ready: connected,
      async write(batch) {
        const tx = redis.pipeline();
        for (const line of batch) tx.xadd(options.key, 'MAXLEN', '~', String(options.maxLen), '*', 'r', line);
        const results = (await tx.exec()) ?? [];
        const failed = results.filter(([err]) => err).length + (batch.length - results.length);
        return { stored: batch.length - failed, error: results.find(([err]) => err)?.[0] ?? undefined };
      },
      async release() {
        if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
        else redis.disconnect();
      },
    },
    options,
  );

  return {
    ...queue,
    async *records() {
      await connected;
      let start = '-';
      for (;;) {
        const page = await redis.xrange(options.key, start, '+', 'COUNT', PAGE);
        for (const [, fields] of page) {
          const at = fields.indexOf('r');
          if (at < 0 || at % 2 !== 0) continue;
          let record: DiffRecord;
          try {
            record = JSON.parse(fields[at + 1]!) as DiffRecord;
          } catch {
            continue; // not written by a strangler store: skip it as the file reader skips a torn line
          }
          yield record;
        }
        if (page.length < PAGE) return;
        start = `(${page[page.length - 1]![0]}`;
      }
    },
  };
}
