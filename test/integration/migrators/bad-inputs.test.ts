import { deadPort } from '../../support/http.js';
import { createMigrateEnv, fileExists, seedItems, type MigrateEnv } from './migrate-env.js';

/** Each bad input: one clear line (plus its hint), a non-zero exit, nothing written anywhere. */
describe('migrate run/verify/sync/status refuse bad input and write nothing', () => {
  let env: MigrateEnv;
  beforeAll(async () => {
    env = await createMigrateEnv('mbad');
    await seedItems(env.db, 50);
    env.writeConfig({ items: { kind: 'Item', updatedAt: 'updated_at' } });
  });
  afterAll(async () => env.close());
  afterEach(async () => {
    expect(await env.count('Item')).toBe(0);
    expect(await env.checkpoints()).toEqual([]);
    expect(fileExists(env.deadLetterFile)).toBe(false);
  });

  function firstLine(err: string): string {
    const lines = err.trimEnd().split('\n');
    expect(lines.slice(1).every((l) => l.startsWith('  hint: '))).toBe(true);
    return lines[0]!;
  }

  test('unreachable MySQL', async () => {
    const url = new URL(env.db.url);
    url.port = String(await deadPort());
    const file = env.writeConfig({ items: { kind: 'Item' } }, { source: url.toString() });
    const r = await env.cli('migrate', 'run', '-c', file);
    expect(r.code).toBe(1);
    expect(firstLine(r.err)).toMatch(/^strangler: MySQL at mysql:\/\/root@127\.0\.0\.1:\d+\/\S+ cannot be reached: .*ECONNREFUSED.* \[STRANGLER_E_MYSQL_UNREACHABLE\]$/);
  });

  test('wrong password (never printed)', async () => {
    const url = new URL(env.db.url);
    url.password = 'not-the-password';
    const file = env.writeConfig({ items: { kind: 'Item' } }, { source: url.toString() });
    const r = await env.cli('migrate', 'verify', '-c', file);
    expect(r.code).toBe(2);
    expect(firstLine(r.err)).toMatch(/^strangler: MySQL at mysql:\/\/root:\*\*\*@.* refused the connection: .*Access denied.* \[STRANGLER_E_MYSQL_AUTH\]$/);
    expect(r.err + r.out).not.toContain('not-the-password');
  });

  test('unreachable Datastore', async () => {
    const saved = process.env.DATASTORE_EMULATOR_HOST;
    process.env.DATASTORE_EMULATOR_HOST = `127.0.0.1:${await deadPort()}`;
    try {
      env.writeConfig({ items: { kind: 'Item', updatedAt: 'updated_at' } });
      for (const cmd of ['run', 'status', 'sync']) {
        const r = await env.cli('migrate', cmd, '-c', env.configFile);
        expect(r.code).toBe(1);
        expect(firstLine(r.err)).toMatch(/^strangler: Datastore \(emulator at 127\.0\.0\.1:\d+ \(project strangler-test\)\) does not answer: .* \[STRANGLER_E_DATASTORE_UNREACHABLE\]$/);
      }
    } finally {
      process.env.DATASTORE_EMULATOR_HOST = saved;
    }
  });

  test('a table the database lacks, a --table the config lacks', async () => {
    const file = env.writeConfig({ items: { kind: 'Item' }, ghosts: { kind: 'Ghost' } });
    const r = await env.cli('migrate', 'run', '-c', file);
    expect(r.code).toBe(2);
    expect(firstLine(r.err)).toMatch(/migrate\.tables\.ghosts: database \S+ has no table "ghosts" \[STRANGLER_E_MIGRATE_UNKNOWN_TABLE\]$/);
    env.writeConfig({ items: { kind: 'Item' } });
    const t = await env.cli('migrate', 'run', '-c', env.configFile, '--table', 'orders');
    expect(t.code).toBe(2);
    expect(firstLine(t.err)).toBe('strangler: --table orders: not in migrate.tables (configured: items) [STRANGLER_E_MIGRATE_TABLE_NOT_CONFIGURED]');
  });

  test('sync of a table without updatedAt', async () => {
    env.writeConfig({ items: { kind: 'Item' } });
    const r = await env.cli('migrate', 'sync', '-c', env.configFile);
    expect(r.code).toBe(2);
    expect(firstLine(r.err)).toBe('strangler: sync: migrate.tables.items has no updatedAt column [STRANGLER_E_MIGRATE_NO_UPDATED_AT]');
  });

  test.each([
    [['run', '--shard', '2/2'], /--shard expects i\/N with 0 ≤ i < N \(e\.g\. 0\/4\), got "2\/2"/],
    [['run', '--shard', 'half'], /--shard expects i\/N/],
    [['run', '--batch-size', '501'], /--batch-size <n>' argument '501' is invalid\. expected a whole number from 1 to 500/],
    [['run', '--concurrency', '0'], /--concurrency <n>' argument '0' is invalid/],
    [['run', '--max-rate', 'fast'], /--max-rate <rows>' argument 'fast' is invalid/],
    [['run', '--bogus'], /unknown option '--bogus'/],
    [['verify', '--sample', '0'], /--sample <pct>' argument '0' is invalid\. expected a percentage above 0 and at most 100/],
    [['sync', '--margin', '-5'], /--margin <seconds>' argument '-5' is invalid/],
  ])('bad flags: migrate %j', async (args, message) => {
    env.writeConfig({ items: { kind: 'Item', updatedAt: 'updated_at' } });
    const [cmd, ...rest] = args as string[];
    const r = await env.cli('migrate', cmd!, '-c', env.configFile, ...rest);
    expect(r.code).toBe(2);
    const line = firstLine(r.err);
    expect(line).toMatch(message);
    expect(line).toMatch(/\[STRANGLER_E_USAGE\]$/);
  });
});
