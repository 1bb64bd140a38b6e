import { PropertyFilter, type Datastore, type Key } from '@google-cloud/datastore';
import { withTimeout } from '../../core/timeout.js';
import { withRetry, DEFAULT_RETRY, type RetryPolicy } from '../retry/retry.js';
import { GRPC_ALREADY_EXISTS, GRPC_NOT_FOUND, grpcCode, isTransientDatastoreError } from '../retry/transient.js';
import { CheckpointVanishedError, type Checkpoint, type CheckpointStore, type ShardPlan, type StreamMark, type SyncMark, type VerifyMark } from './contract.js';

/** The tool's own kind in the target namespace; no user kind may start with "Strangler". */
export const CHECKPOINT_KIND = 'StranglerCheckpoint';

type Stored = { type: 'checkpoint' | 'plan' | 'sync' | 'verify' | 'stream'; table: string; body: string; updatedAt: Date };

/**
 * Checkpoints as entities of CHECKPOINT_KIND keyed by name (`users#0/4`, `users#plan/4`,
 * `users#sync`, `users#verify`), each holding its record as JSON (unindexed) plus the table name (indexed, for
 * clearTable). Every worker on every machine that points at the target sees the same ones.
 */
export interface DatastoreCheckpointOptions {
  retry?: RetryPolicy;
  onRetry?: (err: unknown) => void;
  /**
   * Reads (get, list) give up after this long, retried neither here nor by the client library, whose
   * own retries alone last a minute per call: for readers that must answer (the readiness gate, the
   * console), never for the migrators, which wait a peer out.
   */
  readDeadlineMs?: number;
}

export function createDatastoreCheckpointStore(ds: Datastore, options: DatastoreCheckpointOptions = {}): CheckpointStore {
  const policy = options.retry ?? DEFAULT_RETRY;
  const retry = <T>(work: () => Promise<T>) => withRetry(work, { isTransient: isTransientDatastoreError, onRetry: (e) => options.onRetry?.(e) }, policy);
  const deadline = options.readDeadlineMs;
  const gax = deadline === undefined ? undefined : { gaxOptions: { timeout: deadline, retry: null } };
  const readRetry = <T>(work: () => Promise<T>): Promise<T> =>
    // The client's deadline is the bound; the timer only guards against a call that ignores it.
    deadline === undefined ? retry(work) : withTimeout(work(), deadline + 1000, () => new Error(`no answer within ${Math.round(deadline / 1000)} s`));
  const key = (name: string): Key => ds.key([CHECKPOINT_KIND, name]);
  const entity = (name: string, type: Stored['type'], table: string, body: unknown) => ({
    key: key(name),
    data: { type, table, body: JSON.stringify(body), updatedAt: new Date() },
    excludeFromIndexes: ['body'],
  });
  async function read<T>(name: string): Promise<T | undefined> {
    const [e] = await readRetry(() => ds.get(key(name), gax as never));
    return e ? (JSON.parse((e as Stored).body) as T) : undefined;
  }

  return {
    get: (id) => read<Checkpoint>(id),
    async put(cp) {
      await retry(() => ds.upsert(entity(cp.id, 'checkpoint', cp.table, cp)));
    },
    async update(cp) {
      try {
        // `update` (not upsert) fails with NOT_FOUND when the entity is gone: a wiped target is
        // noticed at the next checkpoint instead of leaving a copy with a hole in it.
        await retry(() => ds.update(entity(cp.id, 'checkpoint', cp.table, cp)));
      } catch (err) {
        if (grpcCode(err) === GRPC_NOT_FOUND) throw new CheckpointVanishedError(cp.id);
        throw err;
      }
    },
    async list() {
      const [rows] = await readRetry(() => ds.runQuery(ds.createQuery(CHECKPOINT_KIND).filter(new PropertyFilter('type', '=', 'checkpoint')), gax as never));
      return (rows as Stored[]).map((r) => JSON.parse(r.body) as Checkpoint);
    },
    async clearTable(table) {
      const [rows] = await retry(() => ds.runQuery(ds.createQuery(CHECKPOINT_KIND).filter(new PropertyFilter('table', '=', table)).select('__key__')));
      const keys = (rows as Record<symbol, Key>[]).map((r) => r[ds.KEY]!);
      if (keys.length > 0) await retry(() => ds.delete(keys));
    },
    async claimPlan(plan) {
      const name = `${plan.table}#plan/${plan.count}`;
      try {
        // insert fails with ALREADY_EXISTS when another worker was first: then its plan holds.
        await retry(() => ds.insert(entity(name, 'plan', plan.table, plan)));
        return plan;
      } catch (err) {
        if (grpcCode(err) !== GRPC_ALREADY_EXISTS) throw err;
        return (await read<ShardPlan>(name)) ?? plan;
      }
    },
    getSyncMark: (table) => read<SyncMark>(`${table}#sync`),
    async putSyncMark(mark) {
      await retry(() => ds.upsert(entity(`${mark.table}#sync`, 'sync', mark.table, mark)));
    },
    getVerifyMark: (table) => read<VerifyMark>(`${table}#verify`),
    async putVerifyMark(mark) {
      await retry(() => ds.upsert(entity(`${mark.table}#verify`, 'verify', mark.table, mark)));
    },
    // A stream spans tables: its record has no table (clearTable leaves it alone).
    getStreamMark: (stream) => read<StreamMark>(`#stream/${stream}`),
    async putStreamMark(mark) {
      await retry(() => ds.upsert(entity(`#stream/${mark.stream}`, 'stream', '', mark)));
    },
  };
}
