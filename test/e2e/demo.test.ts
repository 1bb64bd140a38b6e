/**
 * `strangler demo --exit --json` end to end, as a new user runs it: the built CLI in a child process,
 * starting its own MariaDB, emulator, PHP app, new service and proxy, walking the playbook, and
 * stopping everything it started.
 *
 * "From a clean clone": the files git tracks (working-tree versions, so an uncommitted change is
 * tested too) are copied into a temp folder and built there with tsc into a fresh dist/, and the
 * demo runs from that build — nothing untracked, no stale dist/ and no .strangler/ state of this
 * checkout can help it. node_modules is a symlink to this checkout's: a real `npm install` (or a
 * `git clone` + install) downloads for minutes, which a test run on a busy 2-core machine cannot
 * afford, and the dependencies are pinned by the same package-lock.json anyway.
 *
 * MYSQL_URL and DATASTORE_EMULATOR_HOST are removed from the child's environment, so it starts its
 * own servers as on a machine with nothing running (the harness's are not used). The small seed
 * (`--rows small`: 1,000 users, 5,000 messages) keeps the run near a minute and a half on a loaded
 * machine; the full seed (≈10k users, 50k messages) is what `npm run demo` runs, timed by hand.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bufferIo } from '../../cli/io.js';
import { runCli } from '../../cli/program.js';
import { PACKAGE_ROOT } from '../../core/package-info.js';
import { deadPort } from '../support/http.js';

const run = promisify(execFile);

interface StepLine {
  step: string;
  ok: boolean;
  ms: number;
  figures: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  problem?: string;
}

let clone: string;
let steps: Map<string, StepLine>;
let order: string[];
let exitCode: number | null;
let stderr: string;

function demoEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['MYSQL_URL', 'DATASTORE_EMULATOR_HOST', 'STRANGLER_TEST_MYSQL_URL', 'NODE_OPTIONS']) delete env[k];
  return env;
}

/**
 * Processes (not zombies) in the process group led by pid — each server is started detached, as a
 * group leader, so its children (php workers, the emulator's java) are in its group too.
 */
function groupMembers(pgid: number): string[] {
  const members: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    const [state, , pgrp] = stat.slice(close + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') members.push(`${entry} ${stat.slice(stat.indexOf('(') + 1, close)}`);
  }
  return members;
}

/** A SIGKILLed child may take a moment to go: poll briefly. */
async function settle(check: () => string[], timeoutMs = 5000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let left = check();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = check();
  }
  return left;
}

const step = (name: string): StepLine => {
  const s = steps.get(name);
  if (!s) throw new Error(`no "${name}" line in the demo's output; steps seen: ${order.join(', ')}; stderr: ${stderr}`);
  return s;
};

describe('strangler demo --exit --json (small seed, from a fresh build)', () => {
  beforeAll(async () => {
    clone = mkdtempSync(path.join(os.tmpdir(), 'strangler-clone-'));
    const files = (await run('git', ['ls-files', '-z'], { cwd: PACKAGE_ROOT, maxBuffer: 64 * 1024 * 1024 })).stdout.split('\0').filter(Boolean);
    for (const f of files) {
      mkdirSync(path.dirname(path.join(clone, f)), { recursive: true });
      try {
        cpSync(path.join(PACKAGE_ROOT, f), path.join(clone, f));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // deleted in the working tree, not committed yet
      }
    }
    symlinkSync(path.join(PACKAGE_ROOT, 'node_modules'), path.join(clone, 'node_modules'));
    await run(process.execPath, [path.join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: clone, timeout: 180_000 }).catch((err: { stdout?: string }) => {
      throw new Error(`the build of the tracked files fails (a file not added to git?):\n${err.stdout ?? String(err)}`);
    });

    const child = spawn(process.execPath, ['dist/cli/main.js', 'demo', '--exit', '--json', '--rows', 'small'], { cwd: clone, env: demoEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    stderr = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as StepLine);
    order = lines.map((l) => l.step);
    steps = new Map(lines.map((l) => [l.step, l]));
  }, 420_000);

  afterAll(() => {
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  test('walks every step of the playbook in order, each ok, and exits 0', () => {
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(order).toEqual(['start', 'plan', 'run', 'index', 'verify', 'shadow', 'report', 'ready', 'canary', 'fallback', 'rollback', 'ramp', 'guard', 'live', 'up', 'stopped']);
    for (const s of steps.values()) expect({ step: s.step, ok: s.ok, problem: s.problem }).toEqual({ step: s.step, ok: true, problem: undefined });
  });

  test('plan lists the five tables with their key strategies; run copies every row; verify is clean (entities = rows per table)', () => {
    const seed = step('start').figures.seed as Record<string, number>;
    expect(seed).toEqual({ users: 1000, activities: 200, activity_participants: expect.any(Number), chats: 250, messages: 5000 });
    const plan = step('plan').figures.tables as { table: string; key: string; rows: number }[];
    expect(plan.map((t) => [t.table, t.rows])).toEqual(Object.entries(seed).sort(([a], [b]) => a.localeCompare(b)));
    expect(plan.find((t) => t.table === 'activity_participants')!.key).toMatch(/key name, ancestor Activity/);
    expect(plan.find((t) => t.table === 'messages')!.key).toMatch(/numeric id, ancestor Chat/);

    const runTables = step('run').figures.tables as { table: string; copied: number; deadLetters: number }[];
    for (const t of runTables) expect({ table: t.table, copied: t.copied, dead: t.deadLetters }).toEqual({ table: t.table, copied: seed[t.table], dead: 0 });
    expect(step('run').figures.rowsPerSecond).toBeGreaterThan(0);

    const verify = step('verify').figures;
    expect(verify.clean).toBe(true);
    for (const t of verify.tables as { table: string; rows: number; entities: number; clean: boolean }[]) {
      expect(t).toMatchObject({ rows: seed[t.table], entities: seed[t.table], clean: true });
    }
  });

  test('the shadowed traffic was all answered and compared', () => {
    const s = step('shadow').figures;
    expect(s.requests).toBeGreaterThanOrEqual(1000);
    expect(s.statuses).toEqual({ 200: s.requests });
    expect(s.compared).toBe(s.requests);
    // The proxy's own count of pairs handed to the diff side (its /metrics) agrees with the sink's.
    expect(s.proxy.handedOver).toBe(s.requests);
  });

  test('the diff report finds users.get /displayName, classifies activities.get /serverTime as noise, and the clean routes are ready', () => {
    const routes = new Map((step('report').figures.routes as { route: string; [k: string]: any }[]).map((r) => [r.route, r])); // eslint-disable-line @typescript-eslint/no-explicit-any
    const users = routes.get('users.get')!;
    expect(users.ready).toBe(false);
    expect(users.topFields[0]).toMatchObject({ path: '/displayName', count: users.compared });
    const activities = routes.get('activities.get')!;
    expect(activities.noiseFields.map((f: { path: string }) => f.path)).toContain('/serverTime');
    expect(activities.topFields).toEqual([]);
    expect(activities.ready).toBe(true);
    for (const r of ['users.activities', 'chats.messages.list']) expect({ r, ready: routes.get(r)!.ready, mismatched: routes.get(r)!.compared - routes.get(r)!.matched }).toEqual({ r, ready: true, mismatched: 0 });
  });

  test('canary at 10%: the share served by new is 10% ± 5% over ≥ 1,000 users, and sticky', () => {
    const c = step('canary').figures;
    expect(c.dial).toMatchObject({ new: 10 });
    expect(c.users).toBeGreaterThanOrEqual(1000);
    // Served by new (X-Served-By), plus any user routed to new whose request new failed and legacy answered.
    expect(c.routedShare).toBeCloseTo(c.newShare + c.fallbacks / c.requests, 10);
    expect(Math.abs(c.routedShare - 0.1)).toBeLessThanOrEqual(0.05);
    expect(c.movedBackend).toBeLessThanOrEqual(c.fallbacks + c.repeatFallbacks);
  });

  test('100% with fallback: with the new service stopped every GET is answered 200 by legacy', () => {
    const f = step('fallback').figures;
    expect(f.down.statuses).toEqual({ 200: f.down.requests });
    expect(f.down.servedBy).toEqual({ 'legacy-php': f.down.requests });
    expect(f.down.fallbacks).toBe(f.down.requests);
    // Up and back: all on new (legacy only where new failed one and the proxy fell back).
    for (const t of [f.up, f.back]) expect({ ...t.statuses, new: (t.servedBy['new-service'] ?? 0) + t.fallbacks }).toEqual({ 200: t.requests, new: t.requests });
  });

  test('rollback restores the dial before the last change (100% → 10%)', () => {
    const r = step('rollback').figures;
    expect(r.before).toMatchObject({ new: 100 });
    expect(r.after).toEqual(r.restoredTo);
    expect(r.after).toMatchObject({ new: 10, shadow: 0, fallback: true });
    expect(Math.abs(r.routedShare - 0.1)).toBeLessThanOrEqual(0.05);
  });

  test("the new service's read model lists every user who hosts or joins and every activity with participants or a chat", () => {
    const i = step('index').figures;
    expect(i.users).toBeGreaterThan(0);
    expect(i.activities).toBe(200);
    expect(i.deleted).toBe(0);
  });

  test('the readiness gate: every shadowed route passes responses, errors and data (from the checkpoint store); users.get fails on its responses', () => {
    const routes = new Map((step('ready').figures.routes as { route: string; criteria: { name: string; ok: boolean; figure: string }[] }[]).map((r) => [r.route, r]));
    expect([...routes.keys()].sort()).toEqual(['activities.get', 'chats.messages.list', 'users.activities', 'users.get']);
    for (const r of routes.values()) {
      expect(r.criteria.map((c) => c.name)).toEqual(['responses', 'latency', 'errors', 'data']);
      const failed = r.criteria.filter((c) => !c.ok && c.name !== 'latency').map((c) => c.name);
      expect({ route: r.route, failed }).toEqual({ route: r.route, failed: r.route === 'users.get' ? ['responses'] : [] });
      expect(r.criteria.find((c) => c.name === 'data')!.figure).toMatch(/^from the checkpoint store in strangler-demo; .* clean/);
      // Latency is judged on figures (a busy machine may fail it: the demo says so and goes on).
      expect(r.criteria.find((c) => c.name === 'latency')!.figure).toMatch(/^shadow pairs: new p95 \d+ ms/);
    }
  });

  test('the ramp steps 10 → 25 → 50 through audited changes by ramp, with no error seen by users', () => {
    const r = step('ramp').figures;
    expect(r.reached.map((x: { value: number }) => x.value)).toEqual([10, 25, 50]);
    expect(r).toMatchObject({ status: 'done', changes: 3 });
    expect(r.seen.errors).toBe(0);
  });

  test('the guard rolls back by itself within 5 s of the window clock when new fails half its requests', () => {
    const g = step('guard').figures;
    expect(g.from).toBe(50);
    expect(g.to).toBeLessThan(50);
    expect(g.windowSeconds).toBeLessThanOrEqual(5);
    expect(g.rollbacks).toBe(1);
  });

  test('live data: legacy messages reach Datastore (follow), new ones reach MySQL (reverse), nothing lost in the rollback, verify clean', () => {
    const l = step('live').figures;
    expect(l.followDelayMs.samples).toHaveLength(6);
    expect(l.reverseDelayMs.samples).toHaveLength(6);
    expect(l.rows).toMatchObject({ toDatastore: 7, toMysql: 7, conflicts: 0 });
    expect([l.joins.onNew.by, l.joins.onLegacy.by]).toEqual(['new-service', 'legacy-php']);
    expect(l.joins.listed.legacy).toEqual(expect.arrayContaining([l.joins.onNew.user, l.joins.onLegacy.user]));
    expect(l.distinct).toBe(true);
    expect(l.listed.legacy).toEqual(l.listed.fresh);
    expect(l.verify.clean).toBe(true);
  });

  test('nothing it started is left running', async () => {
    const pids = step('stopped').figures.pids as { demo: number; mariadb: number; emulator: number; php: number };
    expect(step('start').figures.own).toEqual({ mariadb: true, emulator: true });
    expect(existsSync(`/proc/${pids.demo}`)).toBe(false); // exited and reaped (the test waited for it)
    // php -S and its workers, mariadbd, gcloud and its java.
    for (const name of ['mariadb', 'emulator', 'php'] as const) expect({ name, left: await settle(() => groupMembers(pids[name])) }).toEqual({ name, left: [] });
  });
});

describe('strangler demo that cannot start', () => {
  test('an unreachable MYSQL_URL: one line naming it, exit 1', async () => {
    const io = bufferIo({ ...demoEnv(), MYSQL_URL: `mysql://root:pw@127.0.0.1:${await deadPort()}/`, DATASTORE_EMULATOR_HOST: process.env.DATASTORE_EMULATOR_HOST });
    expect(await runCli(['demo', '--exit', '--json'], io)).toBe(1);
    expect(io.err()).toMatch(/^strangler: MySQL at mysql:\/\/root:\*+@127\.0\.0\.1:\d+\/strangler_demo cannot be reached: .*ECONNREFUSED.* \[STRANGLER_E_MYSQL_UNREACHABLE\]\n/);
    expect(io.out()).toBe('');
  });

  test('without PHP: says exactly what to install, starts nothing and exits 1', async () => {
    const io = bufferIo({ ...demoEnv(), STRANGLER_PHP: path.join(os.tmpdir(), 'no-such-php') });
    expect(await runCli(['demo', '--exit'], io)).toBe(1);
    expect(io.err()).toMatch(/PHP is not installed.*apt-get install php-cli php-mysql.*\[STRANGLER_E_DEMO_PREREQUISITE\]/);
    expect(io.out()).not.toMatch(/✔ started/);
  });
});
