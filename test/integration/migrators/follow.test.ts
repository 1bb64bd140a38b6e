import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createMigrateEnv, events, type MigrateEnv } from './migrate-env.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** `migrate follow` in a child process (tsx), so that SIGKILL hits it wherever it is. */
function spawnFollow(configFile: string): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'migrate', 'follow', '-c', configFile, '--batch-size', '50', '--max-wait', '50'], {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, limitMs = 60_000, context?: () => string): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${context ? `: ${context()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Change data capture against the real binlog of the private MariaDB: a table with no updatedAt
 * (sync could not catch it up), written to all along — inserts, updates that bump a per-row
 * sequence number, deletes — through the backfill and while follow is SIGKILLed and restarted.
 */
describe('migrate follow: the binlog into Datastore, through kills', () => {
  let env: MigrateEnv;
  let writing = true;
  let writer: Promise<void> | undefined;
  const stats = { inserts: 0, updates: 0, deletes: 0 };

  beforeAll(async () => {
    env = await createMigrateEnv('mfollow');
    await env.count('Account'); // a freshly started emulator answers its first query slowly
    await env.db.pool.query('CREATE TABLE accounts (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL, seq INT NOT NULL, balance DECIMAL(12,2), opened DATETIME(3))');
    const rows = Array.from({ length: 300 }, (_, i) => [`acct${i + 1}`, 0, `${i}.50`, '2024-01-01 00:00:00.000']);
    await env.db.pool.query('INSERT INTO accounts (name, seq, balance, opened) VALUES ?', [rows]);
    env.writeConfig({ accounts: { kind: 'Account' } }, { sourceTimeZone: 'UTC' });
    // A steady writer: each step one insert, a few updates (seq + 1 each: the per-key order) and now and then a delete.
    writer = (async () => {
      let i = 0;
      while (writing) {
        i++;
        const conn = await env.db.pool.getConnection();
        try {
          await conn.query('START TRANSACTION');
          await conn.query("INSERT INTO accounts (name, seq, balance, opened) VALUES (?, 0, '1.00', UTC_TIMESTAMP(3))", [`new${i}`]);
          stats.inserts++;
          for (let k = 0; k < 3; k++) {
            const [r] = await conn.query('UPDATE accounts SET seq = seq + 1, balance = balance + 1 WHERE id = ?', [1 + ((i * 7 + k * 13) % 250)]);
            stats.updates += (r as { affectedRows: number }).affectedRows;
          }
          await conn.query('COMMIT');
          if (i % 5 === 0) {
            const [r] = await conn.query('DELETE FROM accounts WHERE id = ?', [251 + (i % 50)]);
            stats.deletes += (r as { affectedRows: number }).affectedRows;
          }
        } finally {
          conn.release();
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
  });
  afterAll(async () => {
    writing = false;
    await writer;
    await env.close();
  });

  test('plan and doctor say the binlog is usable here', async () => {
    const plan = JSON.parse((await env.cli('migrate', 'plan', '-c', env.configFile, '--json')).out) as { binlog: { usable: boolean; problems: string[] } };
    expect(plan.binlog).toMatchObject({ usable: true, problems: [] });
  });

  test('backfill under writes, follow killed twice and resumed, then caught up: verify clean, every seq as in MySQL', async () => {
    const run = await env.cli('migrate', 'run', '-c', env.configFile, '--batch-size', '50');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const [cp] = await env.checkpoints();
    expect(cp!.binlog).toMatchObject({ file: expect.stringMatching(/^binlog\.\d+$/), position: expect.any(Number) });

    for (let kill = 0; kill < 2; kill++) {
      const f = spawnFollow(env.configFile);
      // Killed only once it has applied and checkpointed a batch, then at a random moment after.
      await until('a follow batch', async () => f.out().includes('"event":"follow"') || (f.child.exitCode !== null && Promise.reject(new Error(f.out()))), 60_000, f.out);
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
      f.child.kill('SIGKILL');
      await f.exited;
    }
    // A follow left running while the writer goes on: a new insert shows up within seconds.
    const f = spawnFollow(env.configFile);
    const [ins] = await env.db.pool.query("INSERT INTO accounts (name, seq, balance) VALUES ('watched', 0, '0.00')");
    const id = (ins as { insertId: number }).insertId;
    await until('the watched row in Datastore', async () => (await env.ds.get(env.ds.key(['Account', env.ds.int(id)])))[0], 60_000, f.out);
    await env.db.pool.query('DELETE FROM accounts WHERE id = ?', [id]);
    await until('the watched row deleted', async () => !(await env.ds.get(env.ds.key(['Account', env.ds.int(id)])))[0]);

    const status = JSON.parse((await env.cli('migrate', 'status', '-c', env.configFile, '--json')).out) as { follow: { lagSeconds: number; file: string; upserts: number } };
    expect(status.follow).toMatchObject({ file: expect.stringMatching(/^binlog\./), lagSeconds: expect.any(Number) });
    f.child.kill('SIGTERM');
    expect(await f.exited).toBe(0);

    writing = false;
    await writer;
    expect(stats.deletes).toBeGreaterThan(0);
    const last = await env.cli('migrate', 'follow', '-c', env.configFile, '--until-caught-up');
    expect(last.err).toBe('');
    expect(last.code).toBe(0);
    expect(events(last.out).find((e) => e.event === 'follow-start')).toMatchObject({ resumed: true });

    const verify = await env.cli('migrate', 'verify', '-c', env.configFile);
    expect(verify.out + verify.err).not.toMatch(/MISSING_IN_TARGET|EXTRA_IN_TARGET|FIELD_DIFF/);
    expect(verify.code).toBe(0);
    const [rows] = await env.db.pool.query('SELECT id, seq FROM accounts');
    const [entities] = await env.ds.runQuery(env.ds.createQuery('Account'));
    const inDatastore = new Map((entities as { id: number; seq: number }[]).map((e) => [Number(e.id), Number(e.seq)]));
    expect(inDatastore.size).toBe((rows as unknown[]).length);
    for (const r of rows as { id: number; seq: number }[]) expect([r.id, inDatastore.get(r.id)]).toEqual([r.id, r.seq]);
    expect(() => readFileSync(env.deadLetterFile)).toThrow();
  }, 300_000);
});
