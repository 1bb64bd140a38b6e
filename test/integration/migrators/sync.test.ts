import { createMigrateEnv, seedItems, type MigrateEnv } from './migrate-env.js';

describe('migrate sync catches up rows updated and deleted after the backfill', () => {
  let env: MigrateEnv;
  beforeAll(async () => {
    env = await createMigrateEnv('msy');
    await seedItems(env.db, 1500);
    // Rows written well before the backfill: sync must not re-copy them (they are older than the
    // watermark minus its margin).
    await env.db.pool.query('UPDATE items SET updated_at = updated_at - INTERVAL 1 DAY');
    env.writeConfig({ items: { kind: 'Item', updatedAt: 'updated_at' } });
  });
  afterAll(async () => env.close());

  test('before any backfill, sync refuses with one line and writes nothing', async () => {
    const r = await env.cli('migrate', 'sync', '-c', env.configFile);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^strangler: sync: no backfill of items is recorded in the target; run "strangler migrate run" first \[STRANGLER_E_MIGRATE_NO_WATERMARK\]\n/);
    expect(await env.count('Item')).toBe(0);
  });

  test('--print previews without writing; sync --delete makes the target equal again', async () => {
    expect((await env.cli('migrate', 'run', '-c', env.configFile)).code).toBe(0);
    await env.db.pool.query("UPDATE items SET name = CONCAT(name, ' (edited)'), updated_at = NOW(6) WHERE id IN (3, 700, 1500)");
    await env.db.pool.query('DELETE FROM items WHERE id IN (10, 11)');
    await env.db.pool.query("INSERT INTO items (id, name) VALUES (5000, 'late arrival')");

    const before = await env.cli('migrate', 'verify', '-c', env.configFile);
    expect(before.code).toBe(1);

    const preview = await env.cli('migrate', 'sync', '-c', env.configFile, '--delete', '--print');
    expect(preview.code).toBe(0);
    expect(preview.out.split('\n').filter((l) => /^(UPSERT|DELETE) /.test(l)).map((l) => l.replace(/ \(updated_at .*\)$/, '')).sort()).toEqual(
      ['DELETE Item:id=10', 'DELETE Item:id=11', 'UPSERT Item:id=1500', 'UPSERT Item:id=3', 'UPSERT Item:id=5000', 'UPSERT Item:id=700'].sort(),
    );
    expect(preview.out).toMatch(/^items → Item: would re-copy 4 row\(s\) changed since \S+ \S+, would delete 2 orphan entities \(--print: nothing written\)$/m);
    const still = await env.cli('migrate', 'verify', '-c', env.configFile, '--json');
    expect(JSON.parse(still.out).tables[0].counts).toEqual({ MISSING_IN_TARGET: 1, EXTRA_IN_TARGET: 2, FIELD_DIFF: 3 });

    const sync = await env.cli('migrate', 'sync', '-c', env.configFile, '--delete');
    expect(sync.err).toBe('');
    expect(sync.out).toMatch(/^items → Item: re-copied 4 row\(s\) changed since .*, deleted 2 orphan entities$/m);
    const after = await env.cli('migrate', 'verify', '-c', env.configFile);
    expect(after.out).toMatch(/^CLEAN items → Item: 1499 row\(s\), 1499 entities/m);
    expect(after.code).toBe(0);
  });

  test('the next sync starts from the last one: nothing changed, nothing re-copied', async () => {
    const r = await env.cli('migrate', 'sync', '-c', env.configFile, '--margin', '0');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^items → Item: re-copied 0 row\(s\)/m);
  });
});
