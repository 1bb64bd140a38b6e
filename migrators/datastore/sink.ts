import { PropertyFilter, type Datastore, type Key } from '@google-cloud/datastore';
import { StranglerError, describeCause } from '../../core/errors.js';
import { withTimeout } from '../../core/timeout.js';
import { withRetry, DEFAULT_RETRY, type RetryPolicy } from '../retry/retry.js';
import { GRPC_INVALID_ARGUMENT, grpcCode, isTransientDatastoreError } from '../retry/transient.js';
import { datastoreWhere } from './client.js';
import type { MigrateConfig } from '../../config/migrate-schema.js';

/** What copy hands to Datastore: a complete key, so that writing it twice is the same as once. */
export interface EntityWrite {
  key: Key;
  data: Record<string, unknown>;
  excludeFromIndexes: string[];
  approxBytes: number;
}

export interface Rejected<T> {
  item: T;
  reason: string;
}

/**
 * The Datastore side of copy, verify and sync over one client. The client library never retries
 * Commit (it cannot know a commit is idempotent); upserts with complete keys are, so this adapter
 * retries them, with jittered backoff, on the transient codes. Reads are retried the same way.
 */
export interface DatastoreSink {
  /** A quick call with a short deadline and no retry, before anything is written. */
  ping(): Promise<void>;
  /** Upserts; a commit Datastore refuses as invalid is split until the offending entities are
   * isolated, and those come back as rejected (dead letters) while the rest are written. */
  upsert<T extends EntityWrite>(batch: readonly T[]): Promise<Rejected<T>[]>;
  delete(keys: readonly Key[]): Promise<void>;
  /** Entities by key, numbers wrapped (ints beyond 2^53 stay exact); undefined where absent. */
  lookup(keys: readonly Key[]): Promise<(Record<string | symbol, unknown> | undefined)[]>;
  count(kind: string): Promise<number>;
  /** Every key of a kind, in pages. */
  keys(kind: string, pageSize?: number): AsyncGenerator<Key[]>;
  /** Up to `limit` entities of a kind in order of `property`, from `since` on (null: from the start),
   * numbers wrapped: what migrate reverse reads of the new service's changes. */
  changedSince(kind: string, property: string, since: unknown, limit: number, before?: unknown): Promise<{ key: Key; entity: Record<string, unknown> }[]>;
}

export interface SinkOptions {
  retry?: RetryPolicy;
  onRetry?: (err: unknown, attempt: number) => void;
  timeoutMs?: number;
}

export function createDatastoreSink(ds: Datastore, target: MigrateConfig['target'], options: SinkOptions = {}): DatastoreSink {
  const policy = options.retry ?? DEFAULT_RETRY;
  const gax = { timeout: options.timeoutMs ?? 30_000 };
  const retry = <T>(work: () => Promise<T>) =>
    withRetry(work, { isTransient: isTransientDatastoreError, onRetry: (err, attempt) => options.onRetry?.(err, attempt) }, policy).catch((err) => {
      throw isTransientDatastoreError(err) ? unreachable(target, err) : err;
    });

  async function commit(entities: readonly EntityWrite[]): Promise<void> {
    await retry(() => ds.save(entities.map((e) => ({ key: e.key, data: e.data, excludeFromIndexes: e.excludeFromIndexes, method: 'upsert' as const })), gax));
  }

  async function upsertIsolating<T extends EntityWrite>(batch: readonly T[], rejected: Rejected<T>[]): Promise<void> {
    try {
      await commit(batch);
    } catch (err) {
      if (grpcCode(err) !== GRPC_INVALID_ARGUMENT) throw err;
      if (batch.length === 1) {
        rejected.push({ item: batch[0]!, reason: `Datastore refused the entity: ${describeCause(err)}` });
        return;
      }
      const mid = Math.ceil(batch.length / 2);
      await upsertIsolating(batch.slice(0, mid), rejected);
      await upsertIsolating(batch.slice(mid), rejected);
    }
  }

  return {
    async ping() {
      try {
        const q = ds.createQuery('StranglerPing').select('__key__').limit(1);
        await withTimeout(ds.runQuery(q, { gaxOptions: { timeout: 4000, retry: null } } as never), 5000, () => new Error('no answer within 5 s'));
      } catch (err) {
        throw unreachable(target, err);
      }
    },
    async upsert(batch) {
      const rejected: Rejected<(typeof batch)[number]>[] = [];
      if (batch.length > 0) await upsertIsolating(batch, rejected);
      return rejected;
    },
    async delete(keys) {
      if (keys.length > 0) await retry(() => ds.delete([...keys], gax));
    },
    async lookup(keys) {
      if (keys.length === 0) return [];
      const [found] = await retry(() => ds.get([...keys], { wrapNumbers: true, gaxOptions: gax } as never));
      const byKey = new Map<string, Record<string | symbol, unknown>>();
      for (const e of found as Record<string | symbol, unknown>[]) byKey.set(keyString(e[ds.KEY] as Key), e);
      return keys.map((k) => byKey.get(keyString(k)));
    },
    async count(kind) {
      const q = ds.createAggregationQuery(ds.createQuery(kind)).count('n');
      const [res] = await retry(() => ds.runAggregationQuery(q, { gaxOptions: gax } as never));
      return Number((res as { n: number }[])[0]?.n ?? 0);
    },
    async changedSince(kind, property, since, limit, before) {
      const namespace = target.namespace || undefined;
      let q = (namespace ? ds.createQuery(namespace, kind) : ds.createQuery(kind)).order(property).limit(limit);
      if (since) q = q.filter(new PropertyFilter(property, '>=', since));
      if (before) q = q.filter(new PropertyFilter(property, '<', before));
      const [entities] = await ds.runQuery(q, { wrapNumbers: true });
      return (entities as Record<string | symbol, unknown>[]).map((e) => ({ key: e[ds.KEY] as Key, entity: e as Record<string, unknown> }));
    },
    async *keys(kind, pageSize = 1000) {
      let cursor: string | undefined;
      for (;;) {
        let q = ds.createQuery(kind).select('__key__').limit(pageSize);
        if (cursor) q = q.start(cursor);
        const [entities, info] = await retry(() => ds.runQuery(q, { gaxOptions: gax } as never));
        const page = (entities as Record<symbol, Key>[]).map((e) => e[ds.KEY]!);
        if (page.length > 0) yield page;
        if (page.length < pageSize || info.moreResults === 'NO_MORE_RESULTS' || !info.endCursor) return;
        cursor = info.endCursor;
      }
    },
  };
}

/** A key as one string, for maps and sets: path elements joined, ids and names told apart. */
export function keyString(key: Key): string {
  const parts: string[] = [];
  for (let k: Key | undefined = key; k; k = k.parent) {
    const id = k.id !== undefined ? `#${String(k.id)}` : `'${k.name ?? ''}'`;
    parts.unshift(`${k.kind}${id}`);
  }
  return parts.join('/');
}

export function unreachable(target: MigrateConfig['target'], err: unknown): StranglerError {
  const emulator = process.env.DATASTORE_EMULATOR_HOST;
  return new StranglerError('STRANGLER_E_DATASTORE_UNREACHABLE', `Datastore (${datastoreWhere(target)}) does not answer: ${describeCause(err)}`, {
    cause: err,
    hint: emulator ? 'start the emulator (gcloud emulators firestore start --database-mode=datastore-mode) or fix DATASTORE_EMULATOR_HOST' : 'check credentials and migrate.target.projectId',
  });
}
