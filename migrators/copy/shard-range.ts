import { StranglerError } from '../../core/errors.js';
import type { CheckpointStore } from '../checkpoint/contract.js';
import type { KeyColumn } from '../keys/key.js';
import type { MysqlSource } from '../mysql/source.js';
import { splitIntegerRange, wholeRange, type Shard, type ShardRange } from '../keys/shard.js';

/** Refuses --shard on a table whose first key column is not an integer, before anything is written. */
export function checkShardable(table: string, key: readonly KeyColumn[], shard: Shard): void {
  if (shard.count > 1 && !key[0]!.integer) {
    throw new StranglerError('STRANGLER_E_MIGRATE_SHARD_KEY', `--shard needs a table whose first key column is an integer; ${table} has key (${key.map((c) => c.name).join(', ')})`, {
      hint: `copy ${table} without --shard, or shard only tables with integer keys`,
    });
  }
}

/**
 * This worker's part of the table. The split (by MIN/MAX of the first key column) is made once by
 * whichever worker comes first and stored beside the checkpoints; the others use the stored one, so
 * that rows inserted between their starts cannot make their ranges overlap or leave a gap.
 */
export async function shardRange(table: string, key: readonly KeyColumn[], shard: Shard, source: MysqlSource, store: CheckpointStore): Promise<ShardRange> {
  if (shard.count === 1) return wholeRange();
  checkShardable(table, key, shard);
  const { min, max } = await source.minMax(table, key[0]!.name);
  const ranges = splitIntegerRange(min ?? '0', max ?? '0', shard.count);
  const plan = await store.claimPlan({ table, count: shard.count, ranges });
  return plan.ranges[shard.index]!;
}
