import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createMigrateEnv, type MigrateEnv } from './migrate-env.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/**
 * A table's onChange hook, written by a user, as `migrate follow` loads and calls it: a list of
 * each group's members kept in an entity of its own (what a read model is), from inserts and deletes
 * in the real binlog of the private MariaDB, written through the handle follow gives the hook. The
 * hook throws while a "poison" file exists and it sees user 666: follow stops with the code and
 * keeps its position; once the cause is gone, the next follow hands the hook the batch again.
 */
const HOOK = `
import { existsSync } from 'node:fs';
import path from 'node:path';
export default async function (changes, target) {
  if (existsSync(path.join(${JSON.stringify('DIR')}, 'poison')) && changes.some((c) => String(c.key.name).endsWith(':666'))) throw new Error('poisoned by user 666');
  await target.transaction(async (tx) => {
    const groups = [...new Set(changes.map((c) => Number(String(c.key.name).split(':')[0])))];
    const keys = groups.map((g) => target.key(['GroupIndex', g]));
    const stored = await tx.get(keys);
    const lists = new Map(groups.map((g, i) => [g, new Set((stored[i]?.users ?? []).map(Number))]));
    for (const c of changes) {
      const [g, u] = String(c.key.name).split(':').map(Number);
      if (c.op === 'delete') lists.get(g).delete(u);
      else lists.get(g).add(Number(c.after.user_id));
    }
    tx.save(groups.map((g, i) => ({ key: keys[i], data: { users: [...lists.get(g)].sort((a, b) => a - b), ops: changes.map((c) => c.op + ' ' + c.key.name + (c.before ? ' was ' + c.before.role : '')).join(', ') }, excludeFromIndexes: ['ops'] })));
  });
}
`;

describe('migrate follow: onChange hooks against MariaDB and the emulator', () => {
  let env: MigrateEnv;
  const mark = async () => (await env.checkpoints()).find((c) => c.stream === 'follow') as { position: number; file: string } | undefined;
  const index = async (group: number) => {
    const [e] = (await env.ds.get(env.ds.key(['GroupIndex', group]))) as [{ users: number[]; ops: string } | undefined];
    return { users: e?.users.map(Number) ?? [], ops: e?.ops ?? '' };
  };
  const follow = () => env.cli('migrate', 'follow', '-c', env.configFile, '--until-caught-up', '--max-wait', '20');

  beforeAll(async () => {
    env = await createMigrateEnv('mfhook');
    await env.count('Member'); // a freshly started emulator answers its first query slowly
    await env.db.pool.query("CREATE TABLE members (group_id INT NOT NULL, user_id INT NOT NULL, role VARCHAR(10) NOT NULL DEFAULT 'member', PRIMARY KEY (group_id, user_id))");
    await env.db.pool.query('INSERT INTO members (group_id, user_id) VALUES (1, 1), (1, 2), (2, 1)');
    writeFileSync(path.join(env.dir, 'hook.mjs'), HOOK.replace(JSON.stringify('DIR'), JSON.stringify(env.dir)));
  });
  afterAll(async () => env?.close());

  test('a module that cannot be loaded stops follow before it reads anything: STRANGLER_E_MIGRATE_ON_CHANGE', async () => {
    env.writeConfig({ members: { kind: 'Member', onChange: './nope.mjs' } }, { sourceTimeZone: 'UTC' });
    const run = await env.cli('migrate', 'run', '-c', env.configFile);
    expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: '' });
    const r = await follow();
    expect(r.code).toBe(2);
    expect(r.err).toContain('STRANGLER_E_MIGRATE_ON_CHANGE');
    expect(r.err).toContain('migrate.tables.members.onChange: ./nope.mjs cannot be loaded');
    expect(await mark()).toBeUndefined();
  });

  test("inserts, updates and deletes reach the hook after their entities are written; it keeps its own list", async () => {
    env.writeConfig({ members: { kind: 'Member', onChange: './hook.mjs' } }, { sourceTimeZone: 'UTC', follow: { hookRetryMs: 500 } });
    await env.db.pool.query('INSERT INTO members (group_id, user_id) VALUES (1, 3), (1, 4), (3, 7)');
    await env.db.pool.query('DELETE FROM members WHERE group_id = 1 AND user_id = 4');
    const r = await follow();
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    // Only what follow applied reaches the hook (the backfill's rows are not changes).
    expect((await index(1)).users).toEqual([3]);
    expect((await index(3)).users).toEqual([7]);
    expect((await index(1)).ops).toMatch(/delete 1:4 was member/);
    await env.db.pool.query("UPDATE members SET role = 'owner' WHERE group_id = 1 AND user_id = 3");
    expect((await follow()).code).toBe(0);
    expect(await index(1)).toEqual({ users: [3], ops: 'update 1:3 was member' });
    const [entity] = await env.ds.get(env.ds.key(['Member', '1:3']));
    expect((entity as { role: string }).role).toBe('owner');
  });

  test('a hook that keeps failing stops follow with STRANGLER_E_MIGRATE_ON_CHANGE_FAILED and leaves the position; the next follow replays the batch', async () => {
    const before = await mark();
    expect(before).toBeDefined();
    writeFileSync(path.join(env.dir, 'poison'), '');
    await env.db.pool.query('INSERT INTO members (group_id, user_id) VALUES (4, 666)');
    const failed = await follow();
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/onChange hook of members \(\.\/hook\.mjs\) failed \d+ time\(s\) on a batch of 1 change\(s\) \(binlog\.\d+:\d+\): poisoned by user 666 \[STRANGLER_E_MIGRATE_ON_CHANGE_FAILED\]/);
    // The entity was written (the hook runs after the writes), the position was not checkpointed.
    expect((await env.ds.get(env.ds.key(['Member', '4:666'])))[0]).toBeDefined();
    expect(await mark()).toMatchObject({ file: before!.file, position: before!.position });
    expect((await index(4)).users).toEqual([]);

    rmSync(path.join(env.dir, 'poison'));
    const replayed = await follow();
    expect({ code: replayed.code, err: replayed.err }).toEqual({ code: 0, err: '' });
    expect((await index(4)).users).toEqual([666]);
    expect((await mark())!.position).not.toBe(before!.position);
  });

  test('killed (SIGKILL) while joins and leaves keep coming, resumed, caught up: the hook\'s lists are exactly MySQL\'s (at least once + idempotent)', async () => {
    // The default retry budget: a follow killed inside the hook's transaction leaves its locks in the
    // emulator until they expire (about 60 s, as Datastore's idle transactions), and the next
    // follow's hook is ABORTED, and retried, until then.
    env.writeConfig({ members: { kind: 'Member', onChange: './hook.mjs' } }, { sourceTimeZone: 'UTC' });
    let writing = true;
    const live = new Set<string>();
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const g = 100 + (i % 7);
        const u = 1 + ((i * 13) % 40);
        const [r] = await env.db.pool.query('INSERT IGNORE INTO members (group_id, user_id) VALUES (?, ?)', [g, u]);
        if ((r as { affectedRows: number }).affectedRows === 1) live.add(`${g}:${u}`);
        if (i % 3 === 0 && live.size > 0) {
          const [dg, du] = [...live][(i * 7) % live.size]!.split(':').map(Number);
          await env.db.pool.query('DELETE FROM members WHERE group_id = ? AND user_id = ?', [dg, du]);
          live.delete(`${dg}:${du}`);
        }
        await new Promise((res) => setTimeout(res, 3));
      }
    })();
    try {
      for (let kill = 0; kill < 2; kill++) {
        const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'migrate', 'follow', '-c', env.configFile, '--batch-size', '5', '--max-wait', '10'], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise((res) => child.on('exit', res));
        const end = Date.now() + 240_000;
        while (!out.includes('"event":"follow"')) {
          if (child.exitCode !== null || Date.now() > end) throw new Error(`follow: ${out}`);
          await new Promise((res) => setTimeout(res, 50));
        }
        await new Promise((res) => setTimeout(res, 50 + Math.random() * 300));
        child.kill('SIGKILL');
        await exited;
      }
    } finally {
      writing = false;
      await writer;
    }
    const caughtUp = await follow();
    expect({ code: caughtUp.code, err: caughtUp.err }).toEqual({ code: 0, err: '' });
    process.stdout.write(`follow-hooks: ${live.size} live memberships after the load\n`);
    const [rows] = await env.db.pool.query('SELECT group_id, user_id FROM members WHERE group_id >= 100 ORDER BY group_id, user_id');
    const expected = new Map<number, number[]>();
    for (const r of rows as { group_id: number; user_id: number }[]) expected.set(r.group_id, [...(expected.get(r.group_id) ?? []), r.user_id]);
    expect(expected.size).toBeGreaterThan(0);
    for (let g = 100; g < 107; g++) expect([g, (await index(g)).users]).toEqual([g, expected.get(g) ?? []]);
  }, 600_000);
});
