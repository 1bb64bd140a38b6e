import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { bufferIo } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { DEMO_CONFIG_FILE } from '../../../examples/demo/index.js';
import type { LiveSync } from '../../../examples/demo/live-sync.js';
import { participantIds, userActivityIds } from '../../../examples/demo/live-joins.js';
import { liveStep, listedIds } from '../../../examples/demo/playbook-live.js';
import { openDemoMigrate, readModelStep, runStep } from '../../../examples/demo/playbook-migrate.js';
import { startDemoStack, type DemoStack } from '../../../examples/demo/stack.js';
import { NEW_MESSAGE_ID_FLOOR } from '../../../examples/new-service/store.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SEED = { users: 300, activities: 60, chats: 80, messages: 1500 };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `strangler migrate <args>` on the demo's config in a child process, its JSON lines collected. */
function spawnMigrate(stack: DemoStack, args: string[]): { child: ChildProcess; lines: Json[]; out: () => string; err: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'migrate', ...args, '-c', DEMO_CONFIG_FILE], {
    cwd: ROOT,
    env: { ...process.env, ...stack.configEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const lines: Json[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    partial += d.toString();
    const done = partial.split('\n');
    partial = done.pop()!;
    for (const l of done) if (l.startsWith('{')) lines.push(JSON.parse(l) as Json);
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  return { child, lines, out: () => out, err: () => err, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

/** follow and reverse as the commands themselves, `migrate follow` and `migrate reverse --watch`. */
function commandSync(stack: DemoStack): LiveSync & { stderr(): string } {
  let follow: ReturnType<typeof spawnMigrate> | undefined;
  let reverse: ReturnType<typeof spawnMigrate> | undefined;
  let stopping = false;
  const failure = () => {
    for (const [name, p] of [['follow', follow], ['reverse', reverse]] as const) {
      if (p && p.child.exitCode !== null && !stopping) return `migrate ${name} exited ${p.child.exitCode}: ${p.out()}`;
    }
    return undefined;
  };
  return {
    async start() {
      follow = spawnMigrate(stack, ['follow', '--max-wait', '50']);
      reverse = spawnMigrate(stack, ['reverse', '--watch', '200']);
      const deadline = Date.now() + 120_000;
      while (!follow.lines.some((l) => l.event === 'follow-start')) {
        const f = failure();
        if (f) throw new Error(f);
        if (Date.now() > deadline) throw new Error(`migrate follow did not start: ${follow.out()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    counts() {
      const sum = (ls: Json[] | undefined, event: string, fields: string[]) => (ls ?? []).filter((l) => l.event === event).reduce((s, l) => s + fields.reduce((t, f) => t + Number(l[f] ?? 0), 0), 0);
      return {
        followed: sum(follow?.lines, 'follow', ['upserts', 'deletes']),
        skipped: sum(follow?.lines, 'follow', ['skipped']),
        reversed: sum(reverse?.lines, 'reverse', ['upserts', 'deletes']),
        conflicts: sum(reverse?.lines, 'reverse', ['conflicts']),
      };
    },
    failure,
    stderr: () => `${follow?.err() ?? ''}${reverse?.err() ?? ''}`,
    async stop() {
      stopping = true;
      for (const p of [follow, reverse]) if (p && p.child.exitCode === null) p.child.kill('SIGTERM');
      const codes = await Promise.all([follow?.exited, reverse?.exited]);
      for (const [i, code] of codes.entries()) if (code !== 0 && code !== undefined) throw new Error(`migrate ${i === 0 ? 'follow' : 'reverse'} exited ${code}: ${[follow, reverse][i]!.out()}`);
    },
  };
}

/**
 * Issue 20, point 5, end to end on the demo's own stack (examples/demo/stack.ts: a private MariaDB
 * with its binlog on, the emulator, the legacy PHP app under php -S, the new service, the proxy):
 * after the backfill, `migrate follow` and `migrate reverse --watch` run as commands while the chat
 * routes move; the live step (playbook-live.ts, the demo's own) posts through the proxy and waits for
 * each message to reach the other side, and for a join made on legacy to be listed by the new
 * service (follow's onChange hook keeps its read model). The delays are printed, not asserted.
 */
describe('live data through the cutover: follow, reverse, rollback, verify', () => {
  let stack: DemoStack;
  let result: Awaited<ReturnType<ReturnType<typeof liveStep>['run']>>;
  let sync: ReturnType<typeof commandSync>;

  beforeAll(async () => {
    const env = { ...process.env };
    delete env.MYSQL_URL; // a private MariaDB: the demo's database name is fixed, the binlog is its own
    stack = await startDemoStack({ seed: { ...SEED }, env });
    const migrate = await openDemoMigrate(stack);
    try {
      const run = await runStep(migrate, stack).run({ progress: () => undefined });
      expect(run.ok).toBe(true);
      // The demo's step `index`: the new service's read model, built once after the backfill.
      expect((await readModelStep(stack).run({ progress: () => undefined })).ok).toBe(true);
    } finally {
      await migrate.close();
    }
    sync = commandSync(stack);
    result = await liveStep(stack, () => sync).run({ progress: (l) => process.stdout.write(`live: ${l}\n`) });
    process.stdout.write(`live: ${result.lines.join('\nlive: ')}\n`);
  }, 600_000);

  afterAll(async () => stack?.stop());

  test('the step is ok: ids distinct, new ids from the floor up, verify clean', () => {
    expect({ ok: result.ok, problem: result.problem }).toEqual({ ok: true, problem: undefined });
    const m = result.figures.messages as Record<'legacyBefore' | 'fromNew' | 'legacyAfter' | 'newAgain', number[]>;
    for (const id of m.legacyBefore) expect(id).toBeLessThan(NEW_MESSAGE_ID_FLOOR);
    for (const id of m.fromNew) expect(id).toBeGreaterThanOrEqual(NEW_MESSAGE_ID_FLOOR);
    // Legacy's AUTO_INCREMENT continues above what reverse inserted, and new continues above legacy's.
    expect(Math.min(...m.legacyAfter)).toBeGreaterThan(Math.max(...m.fromNew));
    expect(Math.min(...m.newAgain)).toBeGreaterThan(Math.max(...m.legacyAfter));
    expect((result.figures.verify as Json).clean).toBe(true);
  });

  test('follow and reverse ran through it without a warning or an error (stderr empty)', () => {
    expect(sync.stderr()).toBe('');
  });

  test('rows went both ways, and follow skipped what reverse wrote (no loop)', () => {
    const rows = result.figures.rows as Json;
    // Exactly six messages and a join each way: the followed entities reverse reads back are equal
    // to their rows and left alone, and reverse's own writes do not come back through follow.
    expect(rows.toMysql).toBe(7);
    expect(rows.toDatastore).toBe(7);
    expect(rows.skipped).toBeGreaterThanOrEqual(1);
    expect(rows.conflicts).toBe(0);
    const d = result.figures as Json;
    expect(d.followDelayMs.samples).toHaveLength(6);
    expect(d.reverseDelayMs.samples).toHaveLength(6);
  });

  test('after the rollback every message is in MySQL and in Datastore, and both apps list them alike', async () => {
    const m = result.figures.messages as Record<string, number[]>;
    const all = Object.values(m).flat();
    const [rows] = await stack.fresh().datastore.get(all.map((id) => stack.fresh().datastore.key(['Chat', 1, 'Message', id])));
    expect((rows as Json[]).map((e) => Number(e.id)).sort((a, b) => a - b)).toEqual([...all].sort((a, b) => a - b));
    const migrate = await openDemoMigrate(stack);
    try {
      const [mysqlRows] = await migrate.source.reader.query('SELECT id, body FROM messages WHERE id IN (?) ORDER BY id', [all]);
      expect((mysqlRows as Json[]).map((r) => Number(r.id))).toEqual([...all].sort((a, b) => a - b));
    } finally {
      await migrate.close();
    }
    const legacy = await listedIds(stack.legacy.url, 1, 2);
    expect(await listedIds(stack.fresh().url, 1, 2)).toEqual(legacy);
    for (const id of all) expect(legacy).toContain(id);
  });

  test("a join made on new reaches activity_participants, one made on legacy after the rollback reaches Datastore and the new service's reads; both apps list both", async () => {
    const j = result.figures.joins as {
      activity: number;
      onNew: { user: number; by: string };
      onLegacy: { user: number; by: string; listedMs: number };
      listed: { legacy: number[]; fresh: number[]; freshActivities: number[]; joined: { legacy: number; fresh: number } };
    };
    expect([j.onNew.by, j.onLegacy.by]).toEqual(['new-service', 'legacy-php']);
    expect(j.listed.legacy).toEqual(expect.arrayContaining([j.onNew.user, j.onLegacy.user]));
    // The new service lists its own join (its write keeps its read model) and legacy's (follow's
    // onChange hook keeps it): in activities.get, in the user's users.activities, in users.get's count.
    expect(j.listed.fresh).toEqual(expect.arrayContaining([j.onNew.user, j.onLegacy.user]));
    expect(j.listed.fresh).toEqual(j.listed.legacy);
    expect(j.listed.freshActivities).toContain(j.activity);
    expect(j.listed.joined.fresh).toBe(j.listed.joined.legacy);
    // Asked again now, directly: the lists are in Datastore, not an artefact of the step's polling.
    expect(await participantIds(stack.fresh().url, j.activity)).toEqual(expect.arrayContaining([j.onNew.user, j.onLegacy.user]));
    expect(await userActivityIds(stack.fresh().url, j.onLegacy.user)).toContain(j.activity);
    expect(j.onLegacy.listedMs).toEqual(expect.any(Number));
    const ds = stack.fresh().datastore;
    const [entities] = await ds.get([j.onNew.user, j.onLegacy.user].map((u) => ds.key(['Activity', j.activity, 'Participation', `${j.activity}:${u}`])));
    expect((entities as Json[]).map((e) => Number(e.user_id)).sort()).toEqual([j.onNew.user, j.onLegacy.user].sort());
    const migrate = await openDemoMigrate(stack);
    try {
      const [rows] = await migrate.source.reader.query('SELECT user_id FROM activity_participants WHERE activity_id = ? AND user_id IN (?) ORDER BY user_id', [j.activity, [j.onNew.user, j.onLegacy.user]]);
      expect((rows as Json[]).map((r) => Number(r.user_id))).toEqual([j.onNew.user, j.onLegacy.user].sort((a, b) => a - b));
    } finally {
      await migrate.close();
    }
  });

  test('`migrate verify` (the command) is clean at the end', async () => {
    const io = bufferIo(stack.configEnv);
    const code = await runCli(['migrate', 'verify', '-c', DEMO_CONFIG_FILE], io);
    expect({ code, err: io.err() }).toEqual({ code: 0, err: '' });
  });
});
