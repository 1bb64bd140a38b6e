import type { CheckpointStore, VerifyMark } from '../checkpoint/contract.js';
import type { PreparedTable } from '../plan/prepared-table.js';
import type { VerifyReport, TableVerification } from './report.js';
import { verifyTable, type VerifyTableInput } from './verify-table.js';

export type VerifyTablesInput = Pick<VerifyTableInput, 'source' | 'sink' | 'toKey' | 'sample' | 'concurrency' | 'chunkSize' | 'random'> & {
  tables: readonly Pick<PreparedTable, 'name' | 'mapping' | 'key'>[];
  /** Where each table's result is kept (its last verify, read by `migrate status` and the console). */
  store: CheckpointStore;
  now?: () => Date;
};

/** What the checkpoint store keeps of one table's verification: the verdict and the totals. */
export function verifyMark(t: TableVerification, at: Date): VerifyMark {
  return {
    table: t.table,
    kind: t.kind,
    at: at.toISOString(),
    clean: t.clean,
    rows: t.sourceRows,
    entities: t.targetEntities,
    missing: t.counts.MISSING_IN_TARGET,
    extra: t.counts.EXTRA_IN_TARGET,
    fieldDiffs: t.counts.FIELD_DIFF,
    ms: t.ms,
  };
}

/**
 * Verifies the tables one after the other and stores each table's result as soon as it is known,
 * clean or not, so that a later failure (MySQL lost mid-way) keeps the tables already verified.
 */
export async function verifyTables(input: VerifyTablesInput): Promise<VerifyReport> {
  const now = input.now ?? (() => new Date());
  const tables: TableVerification[] = [];
  for (const t of input.tables) {
    const result = await verifyTable({ ...input, table: t.name, mapping: t.mapping, key: t.key });
    await input.store.putVerifyMark(verifyMark(result, now()));
    tables.push(result);
  }
  return { at: now().toISOString(), clean: tables.every((t) => t.clean), tables };
}
