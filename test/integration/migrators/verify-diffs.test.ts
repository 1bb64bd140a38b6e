import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { VerifyMark } from '../../../migrators/checkpoint/contract.js';
import { createDatastoreCheckpointStore } from '../../../migrators/checkpoint/datastore.js';
import type { VerifyReport } from '../../../migrators/verify/report.js';
import { createMigrateEnv, seedItems, type MigrateEnv } from './migrate-env.js';

describe('migrate verify finds exactly what was changed in the target', () => {
  let env: MigrateEnv;
  const lastVerifies = async () => {
    const r = await env.cli('migrate', 'status', '-c', env.configFile, '--json');
    expect(r.code).toBe(0);
    return (JSON.parse(r.out) as { verifies: VerifyMark[] }).verifies;
  };
  beforeAll(async () => {
    env = await createMigrateEnv('mvd');
    await seedItems(env.db, 2500);
    env.writeConfig({ items: { kind: 'Item', updatedAt: 'updated_at', columns: { name: { rename: 'title' } } } });
    expect((await env.cli('migrate', 'run', '-c', env.configFile)).code).toBe(0);
  });
  afterAll(async () => env.close());

  test('a clean copy verifies clean, fully and sampled; status shows the last verify', async () => {
    expect(await lastVerifies()).toEqual([]);
    const startedAt = Date.now();
    const full = await env.cli('migrate', 'verify', '-c', env.configFile);
    expect(full.err).toBe('');
    expect(full.code).toBe(0);
    expect(full.out).toMatch(/^CLEAN items → Item: 2500 row\(s\), 2500 entities; 3\/3 chunk\(s\) compared, 0 differing/m);
    const sampled = await env.cli('migrate', 'verify', '-c', env.configFile, '--sample', '50');
    expect(sampled.code).toBe(0);
    expect(sampled.out).toMatch(/^CLEAN items → Item: 2500 row\(s\), 2500 entities; \d\/3 chunk\(s\) compared \(50% sample\)/m);
    const [mark, ...others] = await lastVerifies();
    expect(others).toEqual([]);
    expect(mark).toMatchObject({ table: 'items', kind: 'Item', clean: true, rows: 2500, entities: 2500, missing: 0, extra: 0, fieldDiffs: 0 });
    expect(Date.parse(mark!.at)).toBeGreaterThanOrEqual(startedAt);
    expect(mark!.ms).toBeGreaterThanOrEqual(0);
  });

  test('one entity altered, one deleted, one extra: exactly those three, with kinds and columns, exit 1', async () => {
    const { ds } = env;
    const [altered] = await ds.get(ds.key(['Item', ds.int(1234)]), { wrapNumbers: true });
    altered.title = 'tampered';
    await ds.upsert(altered);
    await ds.delete(ds.key(['Item', ds.int(2000)]));
    await ds.upsert({ key: ds.key(['Item', ds.int(99999)]), data: { title: 'stray' } });
    const reportFile = path.join(env.dir, 'verify.json');
    const r = await env.cli('migrate', 'verify', '-c', env.configFile, '--report', reportFile);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^strangler: verify: 3 difference\(s\): 1 MISSING_IN_TARGET, 1 EXTRA_IN_TARGET, 1 FIELD_DIFF \[STRANGLER_E_MIGRATE_VERIFY_FAILED\]/);
    expect(r.out).toContain('FIELD_DIFF        Item:id=1234 (items key 1234) name → title: mysql s:"name 1234" ≠ datastore s:"tampered"');
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as VerifyReport;
    expect(report.clean).toBe(false);
    const t = report.tables[0]!;
    expect([t.sourceRows, t.targetEntities, t.extraScan]).toEqual([2500, 2500, true]);
    expect(t.counts).toEqual({ MISSING_IN_TARGET: 1, EXTRA_IN_TARGET: 1, FIELD_DIFF: 1 });
    expect(t.differences).toEqual(
      expect.arrayContaining([
        { type: 'MISSING_IN_TARGET', key: 'Item:id=2000', pk: '2000' },
        { type: 'EXTRA_IN_TARGET', key: 'Item:id=99999' },
        { type: 'FIELD_DIFF', key: 'Item:id=1234', pk: '1234', fields: [{ property: 'title', column: 'name', source: 's:"name 1234"', target: 's:"tampered"' }] },
      ]),
    );
    expect(t.differences).toHaveLength(3);
    // A verify that fails is kept too, with its totals; the text status says it in one line.
    expect(await lastVerifies()).toEqual([
      { table: 'items', kind: 'Item', at: expect.any(String), clean: false, rows: 2500, entities: 2500, missing: 1, extra: 1, fieldDiffs: 1, ms: t.ms },
    ]);
    const text = await env.cli('migrate', 'status', '-c', env.configFile);
    expect(text.out).toMatch(/^items last verify: 3 difference\(s\) \(1 missing, 1 extra, 1 field diff\(s\)\); 2500 row\(s\), 2500 entities; finished \S+Z \(\d+\.\d s\)$/m);
  });

  test("clearing a table's checkpoints (a restarted copy) removes its last verify", async () => {
    const store = createDatastoreCheckpointStore(env.ds);
    expect((await store.getVerifyMark('items'))?.clean).toBe(false);
    await store.clearTable('items');
    expect(await store.getVerifyMark('items')).toBeUndefined();
    expect(await lastVerifies()).toEqual([]);
  });
});
