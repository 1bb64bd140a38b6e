import { createMigrateEnv, seedItems, type MigrateEnv } from './migrate-env.js';

describe('migrate run --shard i/N: workers copy one table together', () => {
  let env: MigrateEnv;
  const N = 3000;
  beforeAll(async () => {
    env = await createMigrateEnv('msh');
    await seedItems(env.db, N);
    await env.db.pool.query('CREATE TABLE pairs (a VARCHAR(10) NOT NULL, b INT NOT NULL, PRIMARY KEY (a, b))');
    await env.db.pool.query("INSERT INTO pairs VALUES ('x', 1), ('y', 2)");
    env.writeConfig({ items: { kind: 'Item' }, pairs: { kind: 'Pair' } });
  });
  afterAll(async () => env.close());

  test('a table without an integer first key column is refused before anything is written', async () => {
    const r = await env.cli('migrate', 'run', '-c', env.configFile, '--shard', '0/2');
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe('strangler: --shard needs a table whose first key column is an integer; pairs has key (a, b) [STRANGLER_E_MIGRATE_SHARD_KEY]');
    expect(await env.count('Item')).toBe(0);
    expect(await env.checkpoints()).toEqual([]);
  });

  test('two shards run at once cover the table exactly once', async () => {
    const [a, b] = await Promise.all([
      env.cli('migrate', 'run', '-c', env.configFile, '--table', 'items', '--shard', '0/2', '--batch-size', '100'),
      env.cli('migrate', 'run', '-c', env.configFile, '--table', 'items', '--shard', '1/2', '--batch-size', '100'),
    ]);
    expect([a.code, a.err, b.code, b.err]).toEqual([0, '', 0, '']);
    const cps = (await env.checkpoints()).filter((c) => c.shard !== undefined && c.table === 'items') as { shard: string; rowsCopied: number; range: { from: string | null; to: string | null }; done: boolean }[];
    cps.sort((x, y) => x.shard.localeCompare(y.shard));
    expect(cps.map((c) => [c.shard, c.done])).toEqual([
      ['0/2', true],
      ['1/2', true],
    ]);
    // Contiguous, non-overlapping ranges that together are unbounded: every key in exactly one.
    expect(cps[0]!.range.from).toBeNull();
    expect(cps[0]!.range.to).toBe(cps[1]!.range.from);
    expect(cps[1]!.range.to).toBeNull();
    // Each row written by exactly one shard: the shards' counts add up to the table, no more.
    expect(cps[0]!.rowsCopied).toBeGreaterThan(0);
    expect(cps[1]!.rowsCopied).toBeGreaterThan(0);
    expect(cps[0]!.rowsCopied + cps[1]!.rowsCopied).toBe(N);
    expect(await env.count('Item')).toBe(N);
    const v = await env.cli('migrate', 'verify', '-c', env.configFile, '--table', 'items');
    expect(v.code).toBe(0);
    const status = await env.cli('migrate', 'status', '-c', env.configFile);
    expect(status.out).toMatch(/^items \[shard 0\/2\] done: \d+\/\d+ rows/m);
    expect(status.out).toMatch(/^items \[shard 1\/2\] done: \d+\/\d+ rows/m);
    expect(status.out).toMatch(/^pairs: not started$/m);
  });
});
