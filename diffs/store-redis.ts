/**
 * The diff store shared by proxy replicas: one Redis stream that every replica appends to (XADD with
 * MAXLEN ~ maxLen: Redis trims the oldest entries itself, so there is no rotation for writers to race
 * on, and the report reads one place, oldest first, with XRANGE). Chosen over per-replica files that
 * the report merges because replicas on Kubernetes have no shared disk, and pods come and go with
 * their files. Like the file store it takes records without waiting, writes them in batches, bounds
 * what waits in memory (beyond it a record is dropped and counted) and never throws: a batch that
 * Redis does not take is lost and counted, once reported to onError.
 */
import { Redis } from 'ioredis';
import type { DiffStore, DiffStoreStats } from './store-contract.js';
import { toStoredLine } from './stored-line.js';
import type { DiffRecord } from './types.js';

export interface RedisDiffStoreOptions {
  url: string;
  /** The stream's key. */
  key: string;
  /** Entries the stream keeps, about (trimmed by whole nodes, never below this). */
  maxLen: number;
  redact?: readonly string[];
  /** Bound of the write queue, in bytes of serialised records. */
  maxQueuedBytes?: number;
  onError?: (err: unknown) => void;
}

const BATCH = 500;
const COALESCE_MS = 20;
/** Entries read per XRANGE call. */
const PAGE = 1000;

export function createRedisDiffStore(options: RedisDiffStoreOptions): DiffStore {
  const redact = options.redact ?? [];
  const maxQueued = options.maxQueuedBytes ?? 8 * 1024 * 1024;
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
  redis.on('error', () => undefined); // a failed batch is counted and reported below
  const connected = redis.connect().catch(() => undefined);
  const queue: string[] = [];
  let queuedBytes = 0;
  let inFlight = 0;
  const stats: DiffStoreStats = { stored: 0, dropped: 0, failed: 0, queued: 0 };
  let writing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reported = false;
  let closed = false;

  async function drain(): Promise<void> {
    await connected;
    while (queue.length > 0) {
      const batch = queue.splice(0, BATCH);
      const bytes = batch.reduce((n, l) => n + l.length, 0);
      inFlight = batch.length;
      try {
        const tx = redis.pipeline();
        for (const line of batch) tx.xadd(options.key, 'MAXLEN', '~', String(options.maxLen), '*', 'r', line);
        const results = (await tx.exec()) ?? [];
        const failed = results.filter(([err]) => err).length + (batch.length - results.length);
        stats.stored += batch.length - failed;
        stats.failed += failed;
        const first = results.find(([err]) => err)?.[0];
        if (first && !reported) {
          reported = true;
          options.onError?.(first);
        }
      } catch (err) {
        stats.failed += batch.length;
        if (!reported) {
          reported = true;
          options.onError?.(err);
        }
      } finally {
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

  async function settle(): Promise<void> {
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
      if (queue.length >= BATCH) kick();
      else if (writing === undefined && timer === undefined) timer = setTimeout(kick, COALESCE_MS);
      return true;
    },
    flush: settle,
    async close() {
      closed = true;
      await settle();
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
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
    stats: () => ({ ...stats, queued: queue.length + inFlight }),
  };
}
