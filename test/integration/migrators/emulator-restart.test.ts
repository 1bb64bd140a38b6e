import { freePort } from '../../../local-servers/free-port.js';
import { startDatastoreEmulator, type DatastoreEmulator } from '../../../local-servers/datastore-emulator.js';
import { createMigrateEnv, events, seedItems, type MigrateEnv } from './migrate-env.js';

/**
 * A restarted emulator comes back empty: everything copied before the restart is gone, checkpoint
 * included. "Finishes and verifies clean" then means the run must notice (its checkpoint update
 * fails as NOT_FOUND) and copy the table again, not carry on from its old position and leave a hole.
 */
describe('migrate run with the emulator restarted mid-run', () => {
  let env: MigrateEnv;
  let emulator: DatastoreEmulator;
  let port: number;
  const saved = process.env.DATASTORE_EMULATOR_HOST;
  const N = 4000;
  beforeAll(async () => {
    port = await freePort();
    emulator = await startDatastoreEmulator({}, { port });
    process.env.DATASTORE_EMULATOR_HOST = emulator.host;
    env = await createMigrateEnv('mrst');
    await seedItems(env.db, N);
    env.writeConfig({ items: { kind: 'Item' } });
  }, 90_000);
  afterAll(async () => {
    await env?.close();
    await emulator?.stop();
    process.env.DATASTORE_EMULATOR_HOST = saved;
  });

  test('the run retries through the outage, re-copies what the restart lost, and verifies clean', async () => {
    const running = env.cli('migrate', 'run', '-c', env.configFile, '--batch-size', '100', '--concurrency', '4', '--max-rate', '800');
    const deadline = Date.now() + 30_000;
    for (;;) {
      const cp = (await env.checkpoints()).find((c) => c.table === 'items');
      if (cp && Number(cp.rowsCopied) >= 500) break;
      if (Date.now() > deadline) throw new Error('the run made no progress');
      await new Promise((r) => setTimeout(r, 100));
    }
    await emulator.stop();
    emulator = await startDatastoreEmulator({}, { port });
    expect(await env.count('Item')).toBeLessThan(N); // empty again, or nearly (the run goes on)

    const r = await running;
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const ev = events(r.out);
    expect(ev.some((e) => e.event === 'notice' && String(e.message).includes('checkpoint vanished'))).toBe(true);
    const summary = ev.find((e) => e.event === 'summary') as { tables: { retries: number; totalCopied: number }[] };
    expect(summary.tables[0]!.retries).toBeGreaterThan(0);
    expect(summary.tables[0]!.totalCopied).toBe(N);

    expect(await env.count('Item')).toBe(N);
    const v = await env.cli('migrate', 'verify', '-c', env.configFile);
    expect(v.out).toMatch(/^CLEAN items → Item: 4000 row\(s\), 4000 entities/m);
    expect(v.code).toBe(0);
  }, 150_000);
});
