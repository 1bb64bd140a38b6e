import { spawn } from 'node:child_process';
import path from 'node:path';
import { CHECKPOINT_KIND } from '../../../migrators/checkpoint/datastore.js';
import { rampAllowance, rampElapsedFor, rampStep, type RampSchedule } from '../../../migrators/copy/ramp.js';
import { createMigrateEnv, events, type MigrateEnv } from './migrate-env.js';

/**
 * The write ramp in a real run, scaled down (20 rows/s, +50% every 2 s) so a few hundred rows cross
 * several steps. While the CLI runs, the test counts the entities in the emulator: at every sample
 * the count stays within what the schedule permits by then (plus its one-second burst), however
 * busy the machine; and the rate it reaches later is above the first step's.
 */
const ROWS = 300;
const SCHEDULE: RampSchedule = { startRate: 20, growth: 1.5, stepMs: 2000 };

describe('migrate run --ramp: a scaled-down 500/50/5 schedule, followed', () => {
  let env: MigrateEnv;
  beforeAll(async () => {
    env = await createMigrateEnv('mramp');
    await env.count('Hit'); // a freshly started emulator answers its first query slowly
    await env.db.pool.query('CREATE TABLE hits (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20), at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, note VARCHAR(9))');
    const values = Array.from({ length: ROWS }, (_, i) => [i + 1, `v${i + 1}`]);
    await env.db.pool.query('INSERT INTO hits (id, v) VALUES ?', [values]);
  });
  afterAll(async () => env.close());

  test('the plan warns of the sequential ids and the growing indexed time, and says what to do', async () => {
    env.writeConfig({ hits: { kind: 'Hit', columns: { note: { index: false } } } }, { sourceTimeZone: 'UTC' });
    const r = await env.cli('migrate', 'plan', '-c', env.configFile, '--json');
    const plan = JSON.parse(r.out) as { tables: { risks: { level: string; code: string; column?: string; message: string }[] }[] };
    const hot = plan.tables[0]!.risks.filter((x) => x.code === 'sequential-keys' || x.code === 'monotonic-index');
    expect(hot.map((x) => [x.level, x.code, x.column])).toEqual([
      ['warning', 'sequential-keys', 'id'],
      ['warning', 'monotonic-index', 'id'],
      ['warning', 'monotonic-index', 'at'],
    ]);
    expect(hot[0]!.message).toMatch(/scatter the key .* or accept that ceiling/);
    expect(hot[2]!.message).toMatch(/columns: \{ at: \{ index: false \} \}/);
  });

  test('against the emulator the ramp is off unless asked for', async () => {
    env.writeConfig({ hits: { kind: 'Hit' } }, { sourceTimeZone: 'UTC' });
    const r = await env.cli('migrate', 'run', '-c', env.configFile, '--dry-run');
    const start = events(r.out).find((e) => e.event === 'start')!;
    expect(start).not.toHaveProperty('ramp');
  });

  test('the measured write rate follows the schedule and never runs ahead of it', async () => {
    env.writeConfig({ hits: { kind: 'Hit' } }, { sourceTimeZone: 'UTC', target: { projectId: 'strangler-test', namespace: `${env.namespace}-r` } });
    const ns = `${env.namespace}-r`;
    const count = async () => {
      const q = env.ds.createQuery(ns, 'Hit');
      const [res] = await env.ds.runAggregationQuery(env.ds.createAggregationQuery(q).count('n'));
      return Number((res as { n: number }[])[0]!.n);
    };
    const t0 = performance.now();
    const run = env.cli('migrate', 'run', '-c', env.configFile, '--ramp', '--ramp-start', '20', '--ramp-step', '2', '--batch-size', '5', '--concurrency', '2');
    let finished = false;
    void run.finally(() => (finished = true));
    const samples: { ms: number; rows: number }[] = [];
    while (!finished) {
      const rows = await count();
      samples.push({ ms: performance.now() - t0, rows });
      await new Promise((r) => setTimeout(r, 150));
    }
    const r = await run;
    expect(r.code).toBe(0);
    samples.push({ ms: performance.now() - t0, rows: await count() });
    expect(samples.at(-1)!.rows).toBe(ROWS);

    // Never ahead: the ramp's clock starts after t0, so the schedule measured from t0 is a bound.
    for (const s of samples) expect(s.rows).toBeLessThanOrEqual(Math.ceil(rampAllowance(SCHEDULE, s.ms)) + SCHEDULE.startRate);
    // It grows: some stretch of 1 s after the first two steps carried more than the first step's 20 rows.
    const later = samples.filter((s) => s.ms >= 2 * SCHEDULE.stepMs);
    const fastest = Math.max(0, ...later.map((a) => {
      const b = samples.find((x) => x.ms >= a.ms + 1000);
      return b ? (b.rows - a.rows) / ((b.ms - a.ms) / 1000) : 0;
    }));
    expect(fastest).toBeGreaterThan(SCHEDULE.startRate);

    // The progress lines carry the ramp: step 0 at 20 rows/s when the table starts.
    const lines = events(r.out);
    expect(lines.find((e) => e.event === 'start')).toMatchObject({ ramp: { step: 0, rate: 20, nextRate: 30 } });
    const last = lines.filter((e) => e.event === 'progress').at(-1) as { ramp: { step: number } };
    expect(last.ramp.step).toBeGreaterThan(0);
  });

  test('SIGKILLed part way and resumed, the ramp continues where the copied rows had taken it, not at its first step', async () => {
    // 200 rows/s, +50% every 2 s: the first chunk (1,000 rows) is checkpointed as the third step begins.
    const resumeSchedule: RampSchedule = { startRate: 200, growth: 1.5, stepMs: 2000 };
    const rows = 3000;
    await env.db.pool.query('CREATE TABLE visits (id INT PRIMARY KEY, v VARCHAR(20))');
    await env.db.pool.query('INSERT INTO visits (id, v) VALUES ?', [Array.from({ length: rows }, (_, i) => [i + 1, `v${i + 1}`])]);
    const ns = `${env.namespace}-k`;
    env.writeConfig({ visits: { kind: 'Visit' } }, { sourceTimeZone: 'UTC', target: { projectId: 'strangler-test', namespace: ns } });
    const count = async () => {
      const [res] = await env.ds.runAggregationQuery(env.ds.createAggregationQuery(env.ds.createQuery(ns, 'Visit')).count('n'));
      return Number((res as { n: number }[])[0]!.n);
    };
    const checkpoint = async () => {
      const [stored] = await env.ds.runQuery(env.ds.createQuery(ns, CHECKPOINT_KIND));
      return (stored as { body: string }[]).map((c) => JSON.parse(c.body) as { table: string; rowsCopied: number; done: boolean }).find((c) => c.table === 'visits');
    };
    const flags = ['--ramp', '--ramp-start', '200', '--ramp-step', '2', '--batch-size', '50', '--concurrency', '2'];
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'migrate', 'run', '-c', env.configFile, ...flags], {
      cwd: path.resolve(import.meta.dirname, '../../..'),
      env: process.env,
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.on('exit', r));
    const deadline = Date.now() + 120_000;
    while (((await checkpoint())?.rowsCopied ?? 0) < 1000 && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await exited;
    const cp = (await checkpoint())!;
    expect(cp.done).toBe(false);
    expect(cp.rowsCopied).toBeGreaterThanOrEqual(1000);
    const offset = rampElapsedFor(resumeSchedule, cp.rowsCopied);

    const before = await count();
    const t0 = performance.now();
    const run = env.cli('migrate', 'run', '-c', env.configFile, ...flags);
    let finished = false;
    void run.finally(() => (finished = true));
    const samples: { ms: number; rows: number }[] = [];
    while (!finished) {
      samples.push({ ms: performance.now() - t0, rows: await count() });
      await new Promise((r) => setTimeout(r, 150));
    }
    const r = await run;
    expect(r.code).toBe(0);
    expect(await count()).toBe(rows);
    const start = events(r.out).find((e) => e.event === 'start') as { resumedAt: number; ramp: { step: number; rate: number } };
    expect(start.resumedAt).toBe(cp.rowsCopied);
    // 1,000+ rows at 200, 300 … rows/s: the schedule's third step at least, where a fresh ramp is at its first.
    expect(start.ramp.step).toBe(rampStep(resumeSchedule, offset));
    expect(start.ramp.step).toBeGreaterThanOrEqual(2);
    expect(start.ramp.rate).toBeGreaterThan(resumeSchedule.startRate);
    // Never ahead of the schedule from there on: what the resumed run adds is at most what the
    // schedule permits from `offset` (plus a second's burst).
    const permitted = (ms: number) => rampAllowance(resumeSchedule, offset + ms) - rampAllowance(resumeSchedule, offset);
    for (const s of samples) expect(s.rows - before).toBeLessThanOrEqual(Math.ceil(permitted(s.ms)) + start.ramp.rate);
  });
});
