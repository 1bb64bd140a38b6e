import type { Datastore, Transaction } from '@google-cloud/datastore';

const ABORTED = 10;
const ATTEMPTS = 5;

/**
 * Runs `work` in a transaction and commits it, retrying when Datastore aborts it for contention
 * (gRPC ABORTED); anything `work` throws rolls back and propagates.
 */
export async function inTransaction<T>(ds: Datastore, work: (tx: Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const tx = ds.transaction();
    await tx.run();
    let result: T;
    try {
      result = await work(tx);
    } catch (err) {
      await tx.rollback().catch(() => undefined);
      throw err;
    }
    try {
      await tx.commit();
      return result;
    } catch (err) {
      if ((err as { code?: number }).code !== ABORTED || attempt >= ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt * Math.random()));
    }
  }
}
