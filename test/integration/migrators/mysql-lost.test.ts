import mysql from 'mysql2/promise';
import { createMigrateEnv, events, seedItems, type MigrateEnv } from './migrate-env.js';

/**
 * A MySQL connection lost in the middle of a chunk read (killed from another session, as a server
 * restart or a failover does): the run reconnects, reads the chunk again, finishes, verifies clean.
 * To hit a read in flight deterministically, the table is write-locked so the run's next SELECT
 * waits, and that waiting connection is the one killed.
 */
describe('migrate run with its MySQL connection killed mid-read', () => {
  let env: MigrateEnv;
  const N = 4000;
  beforeAll(async () => {
    env = await createMigrateEnv('mlost');
    await seedItems(env.db, N);
    env.writeConfig({ items: { kind: 'Item' } });
  });
  afterAll(async () => env.close());

  test('reconnects, retries the read, finishes, verifies clean', async () => {
    const locker = await mysql.createConnection({ uri: env.db.url });
    const admin = await mysql.createConnection({ uri: process.env.STRANGLER_TEST_MYSQL_URL! });
    let killed = 0;
    try {
      const running = env.cli('migrate', 'run', '-c', env.configFile, '--batch-size', '100', '--concurrency', '4', '--max-rate', '1500');
      const deadline = Date.now() + 30_000;
      for (;;) {
        const cp = (await env.checkpoints()).find((c) => c.table === 'items');
        if (cp && Number(cp.rowsCopied) > 0) break;
        if (Date.now() > deadline) throw new Error('the run made no progress');
        await new Promise((r) => setTimeout(r, 50));
      }
      await locker.query('LOCK TABLES items WRITE');
      while (killed === 0 && Date.now() < deadline) {
        const [waiting] = await admin.query("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE LIKE 'Waiting for table%lock' AND INFO LIKE 'SELECT%'", [
          env.db.name,
        ]);
        for (const { id } of waiting as { id: number }[]) {
          await admin.query(`KILL ${Number(id)}`);
          killed++;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await locker.query('UNLOCK TABLES');
      const r = await running;
      expect(killed).toBe(1);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const summary = events(r.out).find((e) => e.event === 'summary') as { tables: { retries: number; totalCopied: number }[] };
      expect(summary.tables[0]!.retries).toBeGreaterThan(0);
      expect(summary.tables[0]!.totalCopied).toBe(N);
    } finally {
      await locker.end();
      await admin.end();
    }
    expect(await env.count('Item')).toBe(N);
    const v = await env.cli('migrate', 'verify', '-c', env.configFile);
    expect(v.code).toBe(0);
  }, 90_000);
});
