import { readFileSync } from 'node:fs';
import { canonicalEntity } from '../../../migrators/mapping/canonical.js';
import { ROUNDTRIP_EXPECTED, ROUNDTRIP_SOURCE_TIMEZONE, ROUNDTRIP_TABLES, ROUNDTRIP_ZERO_DATES, seedRoundtrip } from '../../support/fixtures/roundtrip.js';
import { CHECKPOINT_KIND } from '../../../migrators/checkpoint/datastore.js';
import { createMigrateEnv, events, fileExists, type MigrateEnv } from './migrate-env.js';

describe('migrate run: the round-trip fixture through the real CLI, MariaDB and emulator', () => {
  let env: MigrateEnv;
  beforeAll(async () => {
    env = await createMigrateEnv('mrt');
    await seedRoundtrip(env.db.pool);
    env.writeConfig(ROUNDTRIP_TABLES, { sourceTimeZone: ROUNDTRIP_SOURCE_TIMEZONE });
  });
  afterAll(async () => env.close());

  test('--dry-run reads and maps every row and writes nothing', async () => {
    const r = await env.cli('migrate', 'run', '-c', env.configFile, '--dry-run');
    expect(r.err).toMatch(/^strangler: 1 row\(s\) could not be written; dry run: not recorded \[STRANGLER_E_MIGRATE_DEAD_LETTERS\]/);
    expect(r.code).toBe(1);
    const summary = events(r.out).find((e) => e.event === 'summary') as { dryRun: boolean; zeroDates: number; tables: { table: string; copied: number; zeroDates: number }[] };
    expect(summary.dryRun).toBe(true);
    // The zero dates the mapping turned into null, added up per table and in all.
    expect(summary.zeroDates).toBe(ROUNDTRIP_ZERO_DATES);
    expect(summary.tables.find((t) => t.table === 'roundtrip')?.zeroDates).toBe(ROUNDTRIP_ZERO_DATES);
    expect(Object.fromEntries(summary.tables.map((t) => [t.table, t.copied]))).toEqual({ roundtrip: 4, pairs: 3, chats: 2, messages: 3 });
    for (const kind of ['Roundtrip', 'Pair', 'Chat', 'Message', CHECKPOINT_KIND]) expect(await env.count(kind)).toBe(0);
    expect(fileExists(env.deadLetterFile)).toBe(false);
  });

  test('every value read back equals the documented mapping; the oversized row is a dead letter', async () => {
    const r = await env.cli('migrate', 'run', '-c', env.configFile, '--batch-size', '2');
    expect(r.code).toBe(1);
    expect(r.err).toContain('STRANGLER_E_MIGRATE_DEAD_LETTERS');
    expect(r.err).toContain(env.deadLetterFile);
    const letters = readFileSync(env.deadLetterFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    for (const e of ROUNDTRIP_EXPECTED) {
      if ('deadLetter' in e) {
        const l = letters.find((x) => x.table === e.table && x.key === e.pk);
        expect(l?.reason).toMatch(e.deadLetter);
        continue;
      }
      const [entity] = await env.ds.get(env.ds.key(e.key.map((p) => (typeof p === 'number' ? env.ds.int(p) : p))), { wrapNumbers: true });
      expect({ pk: e.pk, fields: entity && canonicalEntity(entity) }).toEqual({ pk: e.pk, fields: e.fields });
    }
    expect(letters).toHaveLength(ROUNDTRIP_EXPECTED.filter((e) => 'deadLetter' in e).length);
  });

  test('a second run resumes from the finished checkpoints and writes nothing more', async () => {
    const r = await env.cli('migrate', 'run', '-c', env.configFile);
    expect(r.code).toBe(0);
    const summary = events(r.out).find((e) => e.event === 'summary') as { tables: { alreadyDone: boolean }[] };
    expect(summary.tables.every((t) => t.alreadyDone)).toBe(true);
  });

  test('status lists each table with its rows, last key and dead letters', async () => {
    const r = await env.cli('migrate', 'status', '-c', env.configFile, '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as { tables: Record<string, unknown>[]; notStarted: string[] };
    expect(s.notStarted).toEqual([]);
    expect(s.tables.map((t) => [t.table, t.shard, t.state, t.rowsCopied, t.rowsTotal, t.deadLetters, t.lastKey])).toEqual([
      ['chats', '0/1', 'done', 2, 2, 0, '8'],
      ['messages', '0/1', 'done', 3, 3, 0, '14'],
      ['pairs', '0/1', 'done', 3, 3, 0, 'x\\:y:1'],
      ['roundtrip', '0/1', 'done', 4, 5, 1, '5'],
    ]);
    const text = await env.cli('migrate', 'status', '-c', env.configFile);
    expect(text.out).toMatch(/^roundtrip \[shard 0\/1\] done: 4\/5 rows \(80%\), last key 5, \d+ rows\/s, ETA -, \d+ retries, 1 dead letters, started \S+, updated \S+$/m);
  });

  test('verify: every mapped row equal; the dead-lettered row is the one difference', async () => {
    const r = await env.cli('migrate', 'verify', '-c', env.configFile);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^CLEAN pairs → Pair: 3 row\(s\), 3 entities/m);
    expect(r.out).toMatch(/^CLEAN messages → Message: 3 row\(s\), 3 entities/m);
    expect(r.out).toMatch(/^DIFF  roundtrip → Roundtrip: 5 row\(s\), 4 entities.*1 missing, 0 extra, 0 field diff/m);
    expect(r.out).toMatch(/MISSING_IN_TARGET .*roundtrip key 4\): property huge is 1,100,000 bytes, over Datastore.s limit of 1,048,487 bytes for one value/);
    expect(r.err).toMatch(/^strangler: verify: 1 difference\(s\): 1 MISSING_IN_TARGET, 0 EXTRA_IN_TARGET, 0 FIELD_DIFF; counts differ for roundtrip \[STRANGLER_E_MIGRATE_VERIFY_FAILED\]/);
  });
});
