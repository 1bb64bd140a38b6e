import { createMigrateEnv, events, type MigrateEnv } from './migrate-env.js';

/** An instant as a Berlin wall clock, 'YYYY-MM-DD HH:MM:SS.mmm' (Intl's zone data, not the code under test). */
function berlin(ms: number): string {
  const text = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
  return `${text}.${String(ms % 1000).padStart(3, '0')}`;
}

/**
 * The new service writes entities (its own updatedAt on each), legacy keeps writing rows: reverse
 * sends the entities' changes back through the inverted mapping, a tombstone deletes its row, a row
 * MySQL changed after the entity wins the conflict (counted and logged), and follow afterwards skips
 * every transaction reverse wrote (its session server_id), so nothing loops.
 */
describe('migrate reverse: the new service’s writes back into MySQL, loop-free', () => {
  let env: MigrateEnv;
  beforeAll(async () => {
    env = await createMigrateEnv('mrev');
    await env.count('Item');
    await env.db.pool.query(`CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL, price DECIMAL(8,2), seen DATETIME(3),
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), deleted_at DATETIME(3) NULL)`);
    await env.db.pool.query("INSERT INTO items (id, name, qty, price, seen, updated_at) VALUES (1, 'one', 1, '1.10', '2024-03-01 10:00:00.000', '2024-01-01 00:00:00.000'), (2, 'two', 2, '2.20', NULL, '2024-01-01 00:00:00.000'), (3, 'three', 3, '3.30', NULL, '2024-01-01 00:00:00.000')");
    env.writeConfig(
      { items: { kind: 'Item', updatedAt: 'updated_at', reverse: { updatedAt: 'updated_at', tombstone: 'deleted_at' } } },
      { sourceTimeZone: 'Europe/Berlin' },
    );
    const run = await env.cli('migrate', 'run', '-c', env.configFile);
    expect(run.code).toBe(0);
  });
  afterAll(async () => env.close());

  test('changes, an insert and a tombstone arrive; the newer MySQL row wins its conflict; follow skips reverse’s writes', async () => {
    const key = (id: number) => env.ds.key(['Item', env.ds.int(id)]);
    const get = async (id: number) => (await env.ds.get(key(id)))[0] as Record<string, unknown>;
    // The new service wrote ten seconds ago (after the backfill began, where reverse's first pass
    // starts; before the 2 s a stamp takes to settle), on a whole second; legacy's conflicting
    // change five seconds later.
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 10_000;
    const legacyAt = t0 + 5_000;
    // The new service: changes item 1, creates item 9, deletes item 2 by a tombstone, and changes item 3 …
    await env.ds.save({ key: key(1), data: { ...(await get(1)), name: 'one (new)', qty: env.ds.int(10), seen: new Date('2026-01-01T08:30:00.000Z'), updated_at: new Date(t0) } });
    await env.ds.save({ key: key(9), data: { id: env.ds.int(9), name: 'nine', qty: env.ds.int(9), price: '9.90', seen: null, updated_at: new Date(t0 + 1), deleted_at: null } });
    await env.ds.save({ key: key(2), data: { ...(await get(2)), deleted_at: new Date(t0 + 2), updated_at: new Date(t0 + 2) } });
    await env.ds.save({ key: key(3), data: { ...(await get(3)), name: 'three (new)', updated_at: new Date(t0 + 3) } });
    // … and item 8 stamped an hour ahead (a clock gone wrong): not settled, so not read yet.
    await env.ds.save({ key: key(8), data: { id: env.ds.int(8), name: 'eight', qty: env.ds.int(8), price: '8.80', seen: null, updated_at: new Date(Date.now() + 3_600_000), deleted_at: null } });
    // … while legacy changed item 3 later still (its updated_at after the entity's): a conflict.
    await env.db.pool.query("UPDATE items SET name = 'three (legacy)', updated_at = ? WHERE id = 3", [berlin(legacyAt)]);

    const r = await env.cli('migrate', 'reverse', '-c', env.configFile);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = events(r.out);
    expect(lines.find((e) => e.event === 'reverse')).toMatchObject({ table: 'items', upserts: 2, deletes: 1, conflicts: 1 });
    expect(lines.filter((e) => e.event === 'conflict')).toEqual([expect.objectContaining({ table: 'items', winner: 'mysql', mysqlUpdatedAt: new Date(legacyAt).toISOString(), datastoreUpdatedAt: new Date(t0 + 3).toISOString() })]);

    const [rows] = await env.db.pool.query('SELECT id, name, qty, price, seen, updated_at FROM items ORDER BY id');
    expect(rows).toEqual([
      // Berlin wall clock: 08:30Z is 09:30 in January; the entity's updatedAt becomes the row's.
      { id: 1, name: 'one (new)', qty: 10, price: '1.10', seen: '2026-01-01 09:30:00.000', updated_at: berlin(t0) },
      { id: 3, name: 'three (legacy)', qty: 3, price: '3.30', seen: null, updated_at: berlin(legacyAt) },
      { id: 9, name: 'nine', qty: 9, price: '9.90', seen: null, updated_at: berlin(t0 + 1) },
    ]);

    // A second pass finds nothing new (the watermark held).
    const again = events((await env.cli('migrate', 'reverse', '-c', env.configFile)).out).find((e) => e.event === 'reverse');
    expect(again).toMatchObject({ upserts: 0, deletes: 0, conflicts: 0 });

    // follow from the backfill's start: legacy's update of item 3 is applied, reverse's own transaction is skipped.
    const f = await env.cli('migrate', 'follow', '-c', env.configFile, '--until-caught-up');
    expect(f.err).toBe('');
    const stop = events(f.out).find((e) => e.event === 'follow-stop') as { upserts: number; deletes: number; skipped: number };
    expect(stop).toMatchObject({ upserts: 1, deletes: 0 });
    expect(stop.skipped).toBeGreaterThanOrEqual(1);
    expect((await get(3)).name).toBe('three (legacy)');
    expect((await get(9)).name).toBe('nine');
  });
});

/**
 * Key-set deletes: the new service deletes entities outright (no tombstone). reverse compares the
 * table's keys with the kind's and deletes the rows whose entity is gone, but not a row legacy has
 * changed since Datastore last caught up (inserted or updated after the backfill began): that one
 * may just not be copied yet, and follow brings it.
 */
describe('migrate reverse with keySet: deletes by comparing key sets', () => {
  let env: MigrateEnv;
  beforeAll(async () => {
    env = await createMigrateEnv('mrevks');
    await env.count('Note');
    await env.db.pool.query(`CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(40) NOT NULL,
      updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3))`);
    await env.db.pool.query("INSERT INTO notes (id, body, updated_at) VALUES (1, 'a', '2024-01-01 00:00:00'), (2, 'b', '2024-01-01 00:00:00'), (3, 'c', '2024-01-01 00:00:00'), (4, 'd', '2024-01-01 00:00:00'), (5, 'e', '2024-01-01 00:00:00'), (6, 'f', '2024-01-01 00:00:00')");
    env.writeConfig({ notes: { kind: 'Note', updatedAt: 'updated_at', reverse: { updatedAt: 'updated_at', keySet: true } } }, { sourceTimeZone: 'UTC' });
    expect((await env.cli('migrate', 'run', '-c', env.configFile)).code).toBe(0);
  });
  afterAll(async () => env.close());

  test('a row whose entity was deleted goes; a row legacy changed since, or inserted, stays; follow skips the delete', async () => {
    const key = (id: number) => env.ds.key(['Note', env.ds.int(id)]);
    // The new service deletes notes 2 and 5; legacy meanwhile edits note 5 and adds note 7.
    await env.ds.delete([key(2), key(5)]);
    await env.db.pool.query("UPDATE notes SET body = 'e (legacy)' WHERE id = 5");
    await env.db.pool.query("INSERT INTO notes (id, body) VALUES (7, 'g')");

    const r = await env.cli('migrate', 'reverse', '-c', env.configFile);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    // unchanged: 0 — the backfill's copies (changed before it began) are not read back at all.
    expect(events(r.out).find((e) => e.event === 'reverse')).toMatchObject({ table: 'notes', unchanged: 0, keySet: { scanned: 7, deleted: 1, unsettled: 2 } });
    const ids = async () => ((await env.db.pool.query('SELECT id FROM notes ORDER BY id'))[0] as { id: number }[]).map((x) => x.id);
    expect(await ids()).toEqual([1, 3, 4, 5, 6, 7]);

    // follow brings legacy's two changes; reverse's delete is its own (skipped: no loop).
    const f = events((await env.cli('migrate', 'follow', '-c', env.configFile, '--until-caught-up')).out).find((e) => e.event === 'follow-stop');
    expect(f).toMatchObject({ upserts: 2, deletes: 0 });
    expect((f as { skipped: number }).skipped).toBeGreaterThanOrEqual(1);
    const [entities] = await env.ds.get([1, 2, 3, 4, 5, 6, 7].map(key));
    expect((entities as Record<string, unknown>[]).map((e) => Number(e.id)).sort()).toEqual([1, 3, 4, 5, 6, 7]);

    // Now every row has its entity: nothing more to delete.
    const again = events((await env.cli('migrate', 'reverse', '-c', env.configFile)).out).find((e) => e.event === 'reverse');
    expect(again).toMatchObject({ keySet: { scanned: 6, deleted: 0, unsettled: 0 } });
    expect(await ids()).toEqual([1, 3, 4, 5, 6, 7]);
  });

  test('keySet without the table’s updatedAt column is refused before anything is written', async () => {
    const file = env.writeConfig({ notes: { kind: 'Note', reverse: { updatedAt: 'updated_at', keySet: true } } }, { sourceTimeZone: 'UTC' });
    const r = await env.cli('migrate', 'reverse', '-c', file);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/key-set deletes of notes need its updatedAt column.*STRANGLER_E_MIGRATE_REVERSE_CONFIG/s);
  });
});
