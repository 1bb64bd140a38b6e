import { spawn } from 'node:child_process';
import path from 'node:path';
import { createMigrateEnv, events, seedItems, type MigrateEnv } from './migrate-env.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** The real CLI in a child process (tsx), so that SIGKILL hits it wherever it is. */
function spawnRun(configFile: string, killAfterStartMs: number | null): Promise<{ killed: boolean; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'migrate', 'run', '-c', configFile, '--batch-size', '100', '--concurrency', '4', '--max-rate', '800'], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // Kill only once the run has committed and checkpointed a chunk (its first progress line), at a
      // random moment after that: a kill before any checkpoint would test nothing on a slow machine.
      if (killAfterStartMs !== null && !timer && out.includes('"event":"progress"')) {
        timer = setTimeout(() => {
          killed = child.kill('SIGKILL');
        }, killAfterStartMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ killed, code, out });
    });
  });
}

describe('migrate run killed with SIGKILL at random moments and resumed', () => {
  let env: MigrateEnv;
  const N = 6000;
  beforeAll(async () => {
    env = await createMigrateEnv('mkill');
    await seedItems(env.db, N);
    env.writeConfig({ items: { kind: 'Item' } });
  });
  afterAll(async () => env.close());

  test('five kills, then a resume: verify clean, entity count equals row count, no duplicates', async () => {
    const resumedAt: number[] = [];
    let kills = 0;
    for (let i = 0; i < 5; i++) {
      // At 800 rows/s the 6,000 rows take 7.5 s of copying: kills within 0.7 s of a run's first
      // checkpoint leave rows for the later runs and the resume.
      const r = await spawnRun(env.configFile, 100 + Math.floor(Math.random() * 600));
      const start = events(r.out.split('\n').filter((l) => l.startsWith('{')).join('\n')).find((e) => e.event === 'start');
      if (start) resumedAt.push(Number(start.resumedAt ?? 0));
      if (r.killed) kills++;
      else expect(r.code).toBe(0); // finished before the kill landed
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    // Each run resumed at or after where the one before it had checkpointed.
    expect(resumedAt).toEqual([...resumedAt].sort((a, b) => a - b));
    expect(resumedAt[resumedAt.length - 1]).toBeGreaterThan(0);

    const last = await spawnRun(env.configFile, null);
    expect(last.code).toBe(0);
    expect(await env.count('Item')).toBe(N);
    const keys = await env.keys('Item');
    expect(new Set(keys.map((k) => String(k.id))).size).toBe(N);
    const v = await env.cli('migrate', 'verify', '-c', env.configFile);
    expect(v.out).toMatch(/^CLEAN items → Item: 6000 row\(s\), 6000 entities/m);
    expect(v.code).toBe(0);
  }, 120_000);
});
