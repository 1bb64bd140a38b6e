import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { createMigrateEnv, type MigrateEnv } from './migrate-env.js';

const README = readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');

function block(name: string, lang: string): string {
  const m = new RegExp(`<!-- readme-example: ${name} -->\\n\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(README);
  if (!m) throw new Error(`README has no ${lang} block marked ${name}`);
  return m[1]!;
}

/** The README's run/status/verify/sync walkthrough, run as written against MariaDB and the emulator. */
describe('README: migrate run, status, verify and sync examples', () => {
  let env: MigrateEnv;
  beforeAll(async () => {
    env = await createMigrateEnv('mreadme');
    await env.db.pool.query(
      `CREATE TABLE users (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, password_hash VARCHAR(60) NOT NULL,
        updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))`,
    );
    const rows = Array.from({ length: 1200 }, (_, i) => [i + 1, `user ${i + 1}`, `$2y$10$${'x'.repeat(53)}`]);
    await env.db.pool.query('INSERT INTO users (id, name, password_hash) VALUES ?', [rows]);
    await env.db.pool.query('UPDATE users SET updated_at = updated_at - INTERVAL 1 DAY');
  });
  afterAll(async () => env.close());

  test('the config and every command work as documented', async () => {
    const config = YAML.parse(block('migrate-run-config', 'yaml')) as { migrate: Record<string, unknown> };
    const tables = config.migrate.tables as Record<string, unknown>;
    expect(Object.keys(tables)).toEqual(['users']);
    env.writeConfig(tables);
    const commands = block('migrate-run-commands', 'sh')
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/).slice(1).map((a) => (a === 'strangler.yaml' ? env.configFile : a === 'verify.json' ? path.join(env.dir, 'verify.json') : a)));
    expect(commands.length).toBe(7);
    const outputs: string[] = [];
    for (const [i, args] of commands.entries()) {
      if (args[1] === 'sync' && args.includes('--print')) {
        // Changes after the backfill, for sync to catch up.
        await env.db.pool.query("UPDATE users SET name = 'renamed' WHERE id = 3");
        await env.db.pool.query('DELETE FROM users WHERE id = 10');
      }
      const r = await env.cli(...args);
      expect({ command: args.join(' '), code: r.code, err: r.err }).toEqual({ command: args.join(' '), code: 0, err: '' });
      outputs[i] = r.out;
    }
    expect(outputs[1]).toMatch(/"event":"summary".*"copied":1200/);
    expect(outputs[2]).toMatch(/^users \[shard 0\/1\] done: 1200\/1200 rows \(100%\), last key 1200, \d+ rows\/s, ETA -, 0 retries, 0 dead letters, started \S+, updated \S+$/m);
    expect(outputs[3]).toMatch(/^CLEAN users → User: 1200 row\(s\), 1200 entities/m);
    expect(outputs[4]).toMatch(/^UPSERT User:id=3 \(updated_at \S+ \S+\)$/m);
    expect(outputs[4]).toMatch(/^DELETE User:id=10$/m);
    expect(outputs[4]).toMatch(/^users → User: would re-copy 1 row\(s\) changed since \S+ \S+, would delete 1 orphan entity \(--print: nothing written\)$/m);
    expect(outputs[6]).toMatch(/^CLEAN users → User: 1199 row\(s\), 1199 entities; \d+\/2 chunk\(s\) compared \(10% sample\)/m);
    const [entity] = await env.ds.get(env.ds.key(['User', env.ds.int(3)]));
    expect(entity).toMatchObject({ name: 'renamed' });
    expect(entity.password_hash).toBeUndefined();
  });
});
