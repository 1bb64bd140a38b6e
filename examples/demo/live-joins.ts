/**
 * The live step's joins: POST /api/activities/:id/join while its route is on new (a Participation,
 * child of its Activity under the key name "activity_id:user_id", which reverse must turn back into
 * the composite key of activity_participants) and after it is rolled back to legacy (a row follow
 * must turn into that entity, and its onChange hook into the new service's read model).
 */
import type { MysqlReader } from '../../migrators/mysql/connect.js';
import type { DemoStack } from './stack.js';

/** An activity with two seats left and two users who neither host it nor joined it yet. */
export async function freeSeats(reader: MysqlReader): Promise<{ activity: number; users: [number, number] }> {
  const [activities] = await reader.query(
    `SELECT a.id, a.host_id FROM activities a
      WHERE a.capacity - (SELECT COUNT(*) FROM activity_participants p WHERE p.activity_id = a.id) >= 2
      ORDER BY a.id LIMIT 1`,
  );
  const a = (activities as { id: number; host_id: number }[])[0];
  if (!a) throw new Error('no activity has two seats left');
  const [users] = await reader.query(
    `SELECT u.id FROM users u WHERE u.id <> ? AND NOT EXISTS (SELECT 1 FROM activity_participants p WHERE p.activity_id = ? AND p.user_id = u.id)
      ORDER BY u.id LIMIT 2`,
    [a.host_id, a.id],
  );
  const [u1, u2] = (users as { id: number }[]).map((u) => Number(u.id));
  if (u1 === undefined || u2 === undefined) throw new Error(`activity ${a.id}: fewer than two users can join it`);
  return { activity: Number(a.id), users: [u1, u2] };
}

/** POST /api/activities/:id/join through the proxy as `user`; who answered. */
export async function joinThroughProxy(stack: DemoStack, activity: number, user: number): Promise<string> {
  const res = await fetch(`${stack.proxyUrl}/api/activities/${activity}/join`, { method: 'POST', headers: { 'x-user-id': String(user) }, signal: AbortSignal.timeout(30_000) });
  const body = await res.text();
  if (res.status !== 201) throw new Error(`POST /api/activities/${activity}/join as user ${user} answered ${res.status}: ${body}`);
  return res.headers.get('x-served-by') ?? 'none';
}

/** The participants' user ids of an activity as `base` (legacy or the new service, directly) lists them. */
export async function participantIds(base: string, activity: number): Promise<number[]> {
  const res = await fetch(`${base}/api/activities/${activity}`, { signal: AbortSignal.timeout(30_000) });
  if (res.status !== 200) throw new Error(`GET ${base}/api/activities/${activity} answered ${res.status}`);
  const body = (await res.json()) as { participants: { userId: unknown }[] };
  return body.participants.map((p) => Number(p.userId)).sort((x, y) => x - y);
}

/** The ids of the activities `user` hosts or joined, as `base` (legacy or the new service, directly) lists them. */
export async function userActivityIds(base: string, user: number): Promise<number[]> {
  const res = await fetch(`${base}/api/users/${user}/activities`, { headers: { 'x-user-id': String(user) }, signal: AbortSignal.timeout(30_000) });
  if (res.status !== 200) throw new Error(`GET ${base}/api/users/${user}/activities answered ${res.status}`);
  const body = (await res.json()) as { activities: { id: unknown }[] };
  return body.activities.map((a) => Number(a.id)).sort((x, y) => x - y);
}

/** How many activities `user` joined, as `base` counts them in GET /api/users/:id. */
export async function joinedCount(base: string, user: number): Promise<number> {
  const res = await fetch(`${base}/api/users/${user}`, { headers: { 'x-user-id': String(user) }, signal: AbortSignal.timeout(30_000) });
  if (res.status !== 200) throw new Error(`GET ${base}/api/users/${user} answered ${res.status}`);
  return Number(((await res.json()) as { stats: { activitiesJoined: unknown } }).stats.activitiesJoined);
}
