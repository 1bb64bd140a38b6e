import { Datastore } from '@google-cloud/datastore';
import type mysql from 'mysql2/promise';
import { migrateSchema } from '../../../../config/migrate-schema.js';
import { canonicalEntity, canonicalRow, keyString } from '../../../../migrators/mapping/canonical.js';
import { entityBytes, partitionBytes } from '../../../../migrators/mapping/entity-size.js';
import { mapRow } from '../../../../migrators/mapping/map-row.js';
import type { KeyPath } from '../../../../migrators/mapping/types.js';
import { connectMysql } from '../../../../migrators/mysql/connect.js';
import { utcSession } from '../../../../migrators/mysql/session.js';
import { loadMappings, type LoadedTable } from '../../../../migrators/plan/load-mappings.js';
import { ROUNDTRIP_EXPECTED, ROUNDTRIP_SOURCE_TIMEZONE, ROUNDTRIP_TABLES, ROUNDTRIP_ZERO_DATES, seedRoundtrip } from '../../../support/fixtures/roundtrip.js';
import { createTestDatabase, testNamespace, TEST_PROJECT, type TestDatabase } from '../../../support/services.js';

/** ['Chat', 7, 'Message', 12] (numbers are ids) → a KeyPath with Datastore ints. */
function toPath(key: (string | number)[]): KeyPath {
  return key.map((p, i) => (i % 2 === 1 && typeof p === 'number' ? Datastore.int(String(p)) : p));
}

describe('type mapping round trip: MariaDB → mapRow → emulator → read back', () => {
  let db: TestDatabase;
  let conn: mysql.Connection;
  let ds: Datastore;
  let tables: LoadedTable[];
  let namespace: string;

  beforeAll(async () => {
    db = await createTestDatabase('roundtrip');
    await seedRoundtrip(db.pool);
    conn = await connectMysql(db.url);
    await utcSession(conn);
    const migrate = migrateSchema.parse({
      source: db.url,
      sourceTimeZone: ROUNDTRIP_SOURCE_TIMEZONE,
      target: { projectId: TEST_PROJECT },
      tables: ROUNDTRIP_TABLES,
    });
    tables = await loadMappings(migrate, conn, { file: 'roundtrip.yaml', baseDir: process.cwd(), facts: 'all' });
    namespace = testNamespace('roundtrip');
    ds = new Datastore({ projectId: TEST_PROJECT, namespace });
  });
  afterAll(async () => {
    await conn?.end();
    await db?.drop();
  });

  test('every value read back equals the documented mapping exactly', async () => {
    let zeroDates = 0;
    const written: { pk: string; key: KeyPath; rowFields: Record<string, string> }[] = [];
    const deadLetters: { table: string; pk: string; reason: string }[] = [];
    for (const t of tables) {
      const [rows] = await conn.query(`SELECT * FROM \`${t.info.name}\` ORDER BY ${t.info.primaryKey.map((c) => `\`${c}\``).join(', ')}`);
      for (const row of rows as Record<string, unknown>[]) {
        const r = mapRow(t.mapping, row);
        if (!r.ok) {
          deadLetters.push({ table: t.info.name, pk: r.key, reason: r.reason });
          continue;
        }
        zeroDates += r.zeroDates;
        await ds.upsert({ key: ds.key(r.key), data: r.data, excludeFromIndexes: r.excludeFromIndexes });
        const canon = canonicalRow(t.mapping, row);
        if (!canon.ok) throw new Error('canonicalRow disagrees with mapRow');
        written.push({ pk: `${t.info.name}:${r.key.join('/')}`, key: r.key, rowFields: canon.fields });
      }
    }
    expect(zeroDates).toBe(ROUNDTRIP_ZERO_DATES);

    for (const e of ROUNDTRIP_EXPECTED) {
      if ('deadLetter' in e) {
        const dl = deadLetters.find((d) => d.table === e.table && d.pk === e.pk);
        expect(dl?.reason).toMatch(e.deadLetter);
        continue;
      }
      const [entity] = await ds.get(ds.key(toPath(e.key)), { wrapNumbers: true });
      expect({ key: e.key, fields: entity ? canonicalEntity(entity) : 'missing' }).toEqual({ key: e.key, fields: e.fields });
      // verify's view: the MySQL row through the mapping equals the entity read back.
      const row = written.find((w) => keyString(w.key) === keyString(toPath(e.key)));
      expect(row?.rowFields).toEqual(e.fields);
    }
    expect(deadLetters).toHaveLength(ROUNDTRIP_EXPECTED.filter((e) => 'deadLetter' in e).length);
    expect(written).toHaveLength(ROUNDTRIP_EXPECTED.filter((e) => !('deadLetter' in e)).length);
  });

  test('3.0 stays a double and 2^63−1 an exact integer on the wire', async () => {
    const [entity] = await ds.get(ds.key(['Roundtrip', Datastore.int('1')]), { wrapNumbers: true });
    expect(typeof entity.d).toBe('number'); // doubles are plain numbers; integers come back as Int
    expect(Datastore.isInt(entity.big)).toBe(true);
    const [two] = await ds.get(ds.key(['Roundtrip', Datastore.int('2')]), { wrapNumbers: true });
    expect(two.big.value).toBe('9223372036854775807');
  });

  test('long strings anywhere in a JSON object or SET are written unindexed (the emulator refuses indexed ones)', async () => {
    const long = 'y'.repeat(1600);
    const mapping = {
      table: 't',
      kind: 'Probe',
      key: { columns: ['id'], strategy: 'id' as const },
      properties: [
        { column: 'doc', property: 'doc', type: 'entity' as const, indexed: false },
        { column: 'tags', property: 'tags', type: 'array' as const, indexed: true },
        { column: 'txt', property: 'txt', type: 'string' as const, indexed: true },
      ],
    };
    const doc = JSON.stringify({ s: long, a: [long, { z: long, q: [1, long] }], c: { d: { e: long } }, empty: {} });
    const row = { id: 1, doc, tags: `a,${long}`, txt: long };
    const r = mapRow(mapping, row);
    if (!r.ok) throw new Error(r.reason);
    await expect(ds.upsert({ key: ds.key(r.key), data: r.data })).rejects.toThrow(/longer than 1500 bytes/);
    await ds.upsert({ key: ds.key(r.key), data: r.data, excludeFromIndexes: r.excludeFromIndexes });
    const [entity] = await ds.get(ds.key(r.key), { wrapNumbers: true });
    const canon = canonicalRow(mapping, row);
    expect(canon.ok && canon.fields).toEqual(canonicalEntity(entity));
    expect(entity.doc.a[1].q[1]).toBe(long);
  });

  test('entity sizes are counted as the emulator counts them: mapRow refuses before a commit would fail', async () => {
    const mapping = {
      table: 't',
      kind: 'Big',
      key: { columns: ['id'], strategy: 'id' as const },
      partitionBytes: partitionBytes(TEST_PROJECT, '', namespace),
      properties: [
        { column: 'a', property: 'a', type: 'blob' as const, indexed: false },
        { column: 'b', property: 'b', type: 'blob' as const, indexed: false },
      ],
    };
    const size = (n: number) => entityBytes(['Big', Datastore.int(String(n))], { a: Buffer.alloc(n), b: Buffer.alloc(n) }, mapping.partitionBytes);
    // Around the n whose entity reaches 1,048,576 bytes, the emulator's limit (2 bytes per step of n).
    const limit = 524_288 - Math.ceil((size(524_288) - 1_048_576) / 2);
    const outcomes: { bytes: number; mapRow: boolean; emulator: boolean }[] = [];
    for (let n = limit - 4; n <= limit + 1; n++) {
      const r = mapRow(mapping, { id: n, a: Buffer.alloc(n), b: Buffer.alloc(n) });
      let written = true;
      try {
        await ds.upsert({ key: ds.key(['Big', Datastore.int(String(n))]), data: { a: Buffer.alloc(n), b: Buffer.alloc(n) }, excludeFromIndexes: ['a', 'b'] });
      } catch (err) {
        expect((err as Error).message).toMatch(/maximum entity size is 1048576 bytes/);
        written = false;
      }
      outcomes.push({ bytes: size(n), mapRow: r.ok, emulator: written });
    }
    // The emulator's line is exactly where the formula puts 1,048,576; mapRow's is the documented 1,048,572.
    expect(outcomes.map((o) => ({ ...o, emulator: o.bytes <= 1_048_576, mapRow: o.bytes <= 1_048_572 }))).toEqual(outcomes);
    expect(new Set(outcomes.map((o) => `${o.mapRow}/${o.emulator}`))).toEqual(new Set(['true/true', 'false/true', 'false/false']));
  });
});
