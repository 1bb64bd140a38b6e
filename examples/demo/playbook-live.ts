/**
 * The live step: legacy keeps writing while routes move. With `migrate follow` and `migrate reverse`
 * running (live-sync.ts), the chat's read route moves to new and legacy's messages (posted through
 * PHP) show up in Datastore within seconds; then its write route moves to new, whose messages show
 * up in MySQL, where legacy reads them; a rollback of the write route, more legacy messages, and a
 * second move to new (its ids continue above legacy's) lose nothing: both sides list the same
 * messages, and verify is clean at the end. A join made on legacy is listed by the new service's
 * reads once follow's onChange hook has added it to its read model. Delays are measured, not
 * asserted: they are figures.
 */
import type { Datastore } from '@google-cloud/datastore';
import { NEW_MESSAGE_ID_FLOOR } from '../new-service/store.js';
import { freeSeats, joinedCount, joinThroughProxy, participantIds, userActivityIds } from './live-joins.js';
import type { LiveSync } from './live-sync.js';
import { openDemoMigrate, verifyStep } from './playbook-migrate.js';
import type { DemoStack } from './stack.js';
import type { Step, StepContext } from './step.js';

const WHO = 'demo-live';
export const LIVE_ROUTES = { read: 'chats.messages.list', write: 'chats.messages.post', join: 'activities.join' } as const;
/** Messages per phase: enough for a median, few enough to stay quick. */
const PER_PHASE = 3;
/** How long a change may take to cross before the step gives up (a loaded machine, not the figure). */
const DEADLINE_MS = 60_000;

interface Posted {
  id: number;
  by: string;
  /** ms from the POST's answer until the other side had it. */
  crossedMs: number;
}

async function until(what: string, sync: LiveSync, probe: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await probe()) return Math.round(performance.now() - started);
    const failure = sync.failure();
    if (failure) throw new Error(`waiting for ${what}: ${failure}`);
    if (performance.now() - started > DEADLINE_MS) throw new Error(`${what}: not there after ${DEADLINE_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function postMessage(stack: DemoStack, chat: number, user: number, body: string): Promise<{ id: number; by: string }> {
  const res = await fetch(`${stack.proxyUrl}/api/chats/${chat}/messages`, {
    method: 'POST',
    headers: { 'x-user-id': String(user), 'content-type': 'application/json' },
    body: JSON.stringify({ body }),
    signal: AbortSignal.timeout(30_000),
  });
  const answer = (await res.json()) as { id?: unknown };
  if (res.status !== 201) throw new Error(`POST /api/chats/${chat}/messages answered ${res.status}: ${JSON.stringify(answer)}`);
  return { id: Number(answer.id), by: res.headers.get('x-served-by') ?? 'none' };
}

/** The ids of a chat's newest 100 messages as `base` lists them (legacy or the new service directly). */
export async function listedIds(base: string, chat: number, user: number): Promise<number[]> {
  const res = await fetch(`${base}/api/chats/${chat}/messages?limit=100`, { headers: { 'x-user-id': String(user) }, signal: AbortSignal.timeout(30_000) });
  if (res.status !== 200) throw new Error(`GET ${base}/api/chats/${chat}/messages answered ${res.status}`);
  return ((await res.json()) as { messages: { id: unknown }[] }).messages.map((m) => Number(m.id));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const delays = (ps: Posted[]) => ({ samples: ps.map((p) => p.crossedMs), median: median(ps.map((p) => p.crossedMs)), max: Math.max(0, ...ps.map((p) => p.crossedMs)) });

export function liveStep(stack: DemoStack, makeSync: (ctx: Awaited<ReturnType<typeof openDemoMigrate>>) => LiveSync): Step {
  return {
    name: 'live',
    title: 'live data: migrate follow (binlog → Datastore) and migrate reverse (Datastore → MySQL) while the chat routes move and roll back',
    async run(step: StepContext) {
      const ctx = await openDemoMigrate(stack);
      const sync = makeSync(ctx);
      const ds: Datastore = stack.fresh().datastore;
      const [chat, user] = [1, 2];
      const inDatastore = (id: number) => async () => (await ds.get(ds.key(['Chat', chat, 'Message', id])))[0] !== undefined;
      const inMysql = (id: number) => async () => ((await ctx.source.reader.query('SELECT id FROM messages WHERE id = ?', [id]))[0] as unknown[]).length === 1;
      const phase = async (name: string, expectBy: string, crossed: (id: number) => () => Promise<boolean>, what: string): Promise<Posted[]> => {
        const out: Posted[] = [];
        for (let i = 0; i < PER_PHASE; i++) {
          const p = await postMessage(stack, chat, user, `${name} #${i + 1}`);
          if (p.by !== expectBy) throw new Error(`${name}: POST answered by ${p.by}, expected ${expectBy}`);
          out.push({ ...p, crossedMs: await until(`message ${p.id} ${what}`, sync, crossed(p.id)) });
        }
        step.progress(`${name}: ${out.map((p) => `#${p.id} ${p.crossedMs} ms`).join(', ')}`);
        return out;
      };
      try {
        await sync.start();
        await stack.admin.set(LIVE_ROUTES.read, { new: 100 }, WHO);
        const legacyBefore = await phase('legacy, read route on new', 'legacy-php', inDatastore, 'in Datastore (follow)');
        await until('legacy messages listed by the new service', sync, async () => contains(await listedIds(stack.fresh().url, chat, user), legacyBefore));
        await stack.admin.set(LIVE_ROUTES.write, { new: 100 }, WHO);
        const fromNew = await phase('write route on new', 'new-service', inMysql, 'in MySQL (reverse)');
        await until('new messages listed by legacy', sync, async () => contains(await listedIds(stack.legacy.url, chat, user), fromNew));
        await stack.admin.rollback(LIVE_ROUTES.write, WHO);
        const legacyAfter = await phase('write route rolled back to legacy', 'legacy-php', inDatastore, 'in Datastore (follow)');
        await stack.admin.set(LIVE_ROUTES.write, { new: 100 }, WHO);
        const newAgain = await phase('write route on new again', 'new-service', inMysql, 'in MySQL (reverse)');
        await stack.admin.rollback(LIVE_ROUTES.write, WHO);
        // A join while its route is on new (a Participation back into activity_participants), then
        // one after the rollback (a row into a Participation).
        const seat = await freeSeats(ctx.source.reader);
        const participation = (u: number) => ds.key(['Activity', seat.activity, 'Participation', `${seat.activity}:${u}`]);
        await stack.admin.set(LIVE_ROUTES.join, { new: 100 }, WHO);
        const joinedOnNew = { user: seat.users[0], by: await joinThroughProxy(stack, seat.activity, seat.users[0]), crossedMs: 0 };
        joinedOnNew.crossedMs = await until(`user ${seat.users[0]}'s join in MySQL (reverse)`, sync, async () => ((await ctx.source.reader.query('SELECT 1 FROM activity_participants WHERE activity_id = ? AND user_id = ?', [seat.activity, seat.users[0]]))[0] as unknown[]).length === 1);
        await stack.admin.rollback(LIVE_ROUTES.join, WHO);
        const joinedOnLegacy = { user: seat.users[1], by: await joinThroughProxy(stack, seat.activity, seat.users[1]), crossedMs: 0, listedMs: 0 };
        const legacyJoinAt = performance.now();
        joinedOnLegacy.crossedMs = await until(`user ${seat.users[1]}'s join in Datastore (follow)`, sync, async () => (await ds.get(participation(seat.users[1])))[0] !== undefined);
        // The new service reads an activity's participants and a user's activities from its read
        // model (examples/new-service/read-model.ts); follow's onChange hook (read-model-hook.ts)
        // adds legacy's join to those lists after the batch that wrote the Participation.
        let joinSides = { legacy: [] as number[], fresh: [] as number[], freshActivities: [] as number[], joined: { legacy: 0, fresh: 0 } };
        await until(`user ${seat.users[1]}'s legacy join listed by the new service (follow's onChange hook)`, sync, async () => {
          const u = seat.users[1];
          joinSides = {
            legacy: await participantIds(stack.legacy.url, seat.activity),
            fresh: await participantIds(stack.fresh().url, seat.activity),
            freshActivities: await userActivityIds(stack.fresh().url, u),
            joined: { legacy: await joinedCount(stack.legacy.url, u), fresh: await joinedCount(stack.fresh().url, u) },
          };
          return seat.users.every((x) => joinSides.legacy.includes(x) && joinSides.fresh.includes(x)) && joinSides.freshActivities.includes(seat.activity) && joinSides.joined.fresh === joinSides.joined.legacy;
        });
        joinedOnLegacy.listedMs = Math.round(performance.now() - legacyJoinAt);
        step.progress(`joins of activity ${seat.activity}: user ${joinedOnNew.user} on ${joinedOnNew.by} → MySQL in ${joinedOnNew.crossedMs} ms, user ${joinedOnLegacy.user} on ${joinedOnLegacy.by} → Datastore in ${joinedOnLegacy.crossedMs} ms, listed by the new service in ${joinedOnLegacy.listedMs} ms`);
        const all = [...legacyBefore, ...fromNew, ...legacyAfter, ...newAgain];
        // Every message on both sides, in the same order.
        let sides = { legacy: [] as number[], fresh: [] as number[] };
        await until('the same messages listed by both sides', sync, async () => {
          sides = { legacy: await listedIds(stack.legacy.url, chat, user), fresh: await listedIds(stack.fresh().url, chat, user) };
          return contains(sides.legacy, all) && sides.legacy.join() === sides.fresh.join();
        });
        // Counted once both have stopped: a pass reports its rows after it has written them.
        await sync.stop();
        const counts = sync.counts();
        const verified = await verifyStep(ctx).run(step);
        const distinct = new Set(all.map((p) => p.id)).size === all.length;
        const newIds = [...fromNew, ...newAgain].map((p) => p.id);
        const follow = delays([...legacyBefore, ...legacyAfter]);
        const reverse = delays([...fromNew, ...newAgain]);
        const lines = [
          `legacy (PHP) → Datastore by migrate follow: median ${follow.median} ms, max ${follow.max} ms over ${follow.samples.length} messages`,
          `new service → MySQL by migrate reverse: median ${reverse.median} ms, max ${reverse.max} ms over ${reverse.samples.length} messages (ids ${newIds.join(', ')})`,
          `rows: ${counts.followed} MySQL → Datastore, ${counts.reversed} Datastore → MySQL; ${counts.skipped} of reverse's own transaction(s) skipped by follow, ${counts.conflicts} conflict(s)`,
          `after the rollback of ${LIVE_ROUTES.write}: all ${all.length} messages listed by legacy and by new, in the same order; ids ${distinct ? 'all distinct' : 'COLLIDE'}`,
          `activity ${seat.activity}: the join made on new (user ${joinedOnNew.user}) and the one on legacy after the rollback (user ${joinedOnLegacy.user}) listed by both apps; ` +
            `legacy's join in the new service's reads (activities.get, users.activities, users.get) ${joinedOnLegacy.listedMs} ms after legacy answered (follow's onChange hook)`,
          ...verified.lines,
        ];
        const joinsBy = joinedOnNew.by === 'new-service' && joinedOnLegacy.by === 'legacy-php';
        const ok = verified.ok && distinct && joinsBy && newIds.every((id) => id >= NEW_MESSAGE_ID_FLOOR);
        return {
          ok,
          figures: {
            followDelayMs: follow,
            reverseDelayMs: reverse,
            rows: { toDatastore: counts.followed, toMysql: counts.reversed, skipped: counts.skipped, conflicts: counts.conflicts },
            messages: { legacyBefore: ids(legacyBefore), fromNew: ids(fromNew), legacyAfter: ids(legacyAfter), newAgain: ids(newAgain) },
            listed: sides,
            joins: { activity: seat.activity, onNew: joinedOnNew, onLegacy: joinedOnLegacy, listed: joinSides },
            distinct,
            verify: verified.figures,
          },
          lines,
          problem: ok ? undefined : !distinct ? 'message ids collided' : !joinsBy ? `the joins were answered by ${joinedOnNew.by} and ${joinedOnLegacy.by}` : 'verify is not clean',
        };
      } finally {
        await sync.stop();
        await ctx.close();
      }
    },
  };
}

const ids = (ps: Posted[]) => ps.map((p) => p.id);
const contains = (listed: number[], ps: Posted[]) => ps.every((p) => listed.includes(p.id));
