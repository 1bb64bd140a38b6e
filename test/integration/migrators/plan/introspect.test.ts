import { createMysqlPool } from '../../../../migrators/mysql/connect.js';
import { gatherFacts } from '../../../../migrators/mysql/introspect-facts.js';
import { introspect } from '../../../../migrators/mysql/introspect.js';
import { seedRoundtrip } from '../../../support/fixtures/roundtrip.js';
import { createTestDatabase, type TestDatabase } from '../../../support/services.js';

describe('introspection and data facts (real MariaDB)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('introspect');
    await seedRoundtrip(db.pool);
    await db.pool.query('CREATE TABLE `odd``name` (b INT NOT NULL, a VARCHAR(10) NOT NULL, PRIMARY KEY (b, a))');
    await db.pool.query('CREATE VIEW chat_titles AS SELECT title FROM chats');
    await db.pool.query('CREATE TABLE profiles (id INT PRIMARY KEY, changed TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, updated_at DATETIME NULL)');
  });
  afterAll(async () => {
    await db.drop();
  });

  test('tables, columns in order, primary keys in key order; views left out', async () => {
    const tables = await introspect(db.pool, db.name);
    expect(tables.map((t) => t.name)).toEqual(['chats', 'messages', 'odd`name', 'pairs', 'profiles', 'roundtrip']);
    const profiles = tables.find((t) => t.name === 'profiles')!;
    expect(profiles.columns.map((c) => [c.name, c.onUpdateNow ?? false])).toEqual([['id', false], ['changed', true], ['updated_at', false]]);
    const odd = tables.find((t) => t.name === 'odd`name')!;
    expect(odd.primaryKey).toEqual(['b', 'a']);
    expect(odd.columns.map((c) => c.name)).toEqual(['b', 'a']);
    const rt = tables.find((t) => t.name === 'roundtrip')!;
    const byName = Object.fromEntries(rt.columns.map((c) => [c.name, c]));
    expect(byName.doc).toMatchObject({ dataType: 'json', columnType: 'longtext' }); // MariaDB's JSON alias
    expect(byName.ubig).toMatchObject({ dataType: 'bigint', unsigned: true, nullable: true });
    expect(byName.dt).toMatchObject({ dataType: 'datetime', datetimePrecision: 6 });
    expect(byName.txt).toMatchObject({ dataType: 'varchar', maxBytes: 1020, collation: 'utf8mb4_unicode_ci' });
    expect(byName.dec65).toMatchObject({ numericPrecision: 65, numericScale: 30 });
    expect(byName.id!.nullable).toBe(false);
    expect(rt.engine).toBe('InnoDB');
    expect(await introspect(db.pool, db.name, ['pairs', 'nope'])).toHaveLength(1);
  });

  test('facts: MIN/MAX, zero dates, sub-millisecond digits, longest values, oversized rows', async () => {
    const [rt] = await introspect(db.pool, db.name, ['roundtrip']);
    const facts = await gatherFacts(db.pool, rt!, 'all');
    expect(facts.rows).toBe(5);
    expect(facts.oversizedRows).toBe(1);
    expect(facts.columns.ubig).toEqual({ min: '0', max: '18446744073709551615' });
    expect(facts.columns.flag).toEqual({ min: '0', max: '1' });
    expect(facts.columns.dt).toEqual({ zeroDates: 1, partialZeroDates: 0, subMillisecond: 1 });
    expect(facts.columns.long_text).toEqual({ maxBytes: 1501 });
    const decisions = await gatherFacts(db.pool, rt!, 'decisions');
    expect(Object.keys(decisions.columns).sort()).toEqual(['flag', 'id', 'ubig']);
    expect(decisions.rows).toBeUndefined();
    // Pinned by the config (type or skip): their data decides nothing and is not read for run/verify.
    const pinned = await gatherFacts(db.pool, rt!, 'decisions', ['id'], new Set(['flag', 'ubig']));
    expect(Object.keys(pinned.columns)).toEqual(['id']);
  });

  test('a pool made with utcSession reads TIMESTAMP strings in UTC on every connection', async () => {
    const pool = createMysqlPool(db.url, { connectionLimit: 2, utcSession: true });
    try {
      // Without it the session zone is the server's ('SYSTEM'), and TIMESTAMP strings follow it.
      const results = await Promise.all([1, 2, 3].map(() => pool.query('SELECT @@session.time_zone AS tz, ts FROM roundtrip WHERE id = 1')));
      for (const [rows] of results) expect(rows).toEqual([{ tz: '+00:00', ts: '2024-06-01 12:00:00.250' }]);
    } finally {
      await pool.end();
    }
  });
});
