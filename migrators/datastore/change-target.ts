import type { Datastore, Key } from '@google-cloud/datastore';
import type { KeyPath } from '../mapping/types.js';
import { keyString } from './sink.js';

/** An entity an onChange hook writes: a complete key and its properties. */
export interface TargetEntity {
  key: Key;
  data: Record<string, unknown>;
  /** Property names left out of the indexes (`list[]` for a list's values). */
  excludeFromIndexes?: string[];
}

/** One Datastore transaction, as much of it as a hook needs: read by key, then save and delete. */
export interface TargetTransaction {
  /** Entities by key, in the order of `keys` (undefined where absent). */
  get(keys: readonly Key[]): Promise<(Record<string, unknown> | undefined)[]>;
  save(entities: readonly TargetEntity[]): void;
  delete(keys: readonly Key[]): void;
}

/**
 * What `migrate follow` hands an onChange hook to write derived data with: keys in the target's
 * namespace, and read-modify-write transactions, so a hook and the new service changing the same
 * entity cannot lose each other's write (Datastore aborts one of them, and the hook is retried).
 * Not the client itself: a hook cannot query (a kind scan per call on the emulator) nor reach
 * the checkpoints.
 */
export interface ChangeTarget {
  key(path: KeyPath): Key;
  /** Runs `work` in a transaction and commits it; a throw rolls it back and propagates. */
  transaction<T>(work: (tx: TargetTransaction) => Promise<T>): Promise<T>;
}

/** `toKey`: the run's own key maker (the target's namespace). */
export function createChangeTarget(ds: Datastore, toKey: (path: KeyPath) => Key): ChangeTarget {
  return {
    key: toKey,
    async transaction(work) {
      const tx = ds.transaction();
      await tx.run();
      let result;
      try {
        result = await work({
          async get(keys) {
            if (keys.length === 0) return [];
            const [found] = await tx.get([...keys]);
            const byKey = new Map((found as Record<string | symbol, unknown>[]).map((e) => [keyString(e[ds.KEY] as Key), e as Record<string, unknown>]));
            return keys.map((k) => byKey.get(keyString(k)));
          },
          save: (entities) => tx.save(entities.map((e) => ({ key: e.key, data: e.data, excludeFromIndexes: e.excludeFromIndexes ?? [] }))),
          delete: (keys) => tx.delete([...keys]),
        });
      } catch (err) {
        await tx.rollback().catch(() => undefined);
        throw err;
      }
      await tx.commit();
      return result;
    },
  };
}
