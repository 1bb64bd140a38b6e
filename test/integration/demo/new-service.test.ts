import { Datastore } from '@google-cloud/datastore';
import { seedDemoDatabase } from '../../../examples/demo/seed.js';
import { buildReadModel } from '../../../examples/new-service/build-read-model.js';
import { startNewService, type NewServiceHandle } from '../../../examples/new-service/server.js';
import { NEW_MESSAGE_ID_FLOOR } from '../../../examples/new-service/store.js';
import { deadPort } from '../../support/http.js';
import { createTestDatabase, testNamespace, TEST_PROJECT, type TestDatabase } from '../../support/services.js';
import { writeMappedEntities } from './mapped-entities.js';

const SMALL = { users: 200, activities: 50, chats: 60, messages: 1200 };
const DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('the new service (express on the Datastore emulator)', () => {
  let db: TestDatabase;
  let ds: Datastore;
  let service: NewServiceHandle;
  const errors: unknown[] = [];
  const get = async (p: string) => {
    const res = await fetch(service.url + p);
    return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
  };
  const post = async (p: string, body?: string, user?: string) => {
    const res = await fetch(service.url + p, { method: 'POST', body, headers: user ? { 'x-user-id': user } : {} });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const one = async (sql: string, params: unknown[] = []) => ((await db.pool.query(sql, params))[0] as Json[])[0]!;

  beforeAll(async () => {
    db = await createTestDatabase('new_service');
    await seedDemoDatabase(db.url, SMALL);
    ds = new Datastore({ projectId: TEST_PROJECT, namespace: testNamespace('newsvc') });
    await writeMappedEntities(db.pool, ds);
    await buildReadModel(ds);
    service = await startNewService({ datastore: ds, logError: (err) => errors.push(err) });
  });
  afterAll(async () => {
    await service?.stop();
    await db.drop();
  });
  afterEach(() => {
    expect(errors).toEqual([]);
  });

  test('health: 200 with the same body and content-type as legacy', async () => {
    const res = await get('/api/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-served-by')).toBe('new-service');
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
  });

  test('a profile from the User entity: real numbers, {} for an empty map, no null bio, the full name', async () => {
    const row = await one(`SELECT * FROM users WHERE links = '{}' AND bio IS NULL AND birthdate IS NOT NULL ORDER BY id LIMIT 1`);
    const stats = await one('SELECT (SELECT COUNT(*) FROM activity_participants WHERE user_id = ?) AS joined, (SELECT COUNT(*) FROM activities WHERE host_id = ?) AS hosted', [row.id, row.id]);
    const { status, body } = await get(`/api/users/${row.id}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      id: row.id,
      displayName: `${row.first_name} ${row.last_name}`,
      firstName: row.first_name,
      lastName: row.last_name,
      city: row.city,
      birthdate: row.birthdate,
      verified: row.is_verified === 1,
      links: {},
      lastSeenAt: row.last_seen_at,
      memberSince: row.created_at,
      stats: { activitiesJoined: Number(stats.joined), activitiesHosted: Number(stats.hosted) },
    });
    const withLinks = await one(`SELECT id, links FROM users WHERE links <> '{}' ORDER BY id LIMIT 1`);
    expect((await get(`/api/users/${withLinks.id}`)).body.links).toEqual(JSON.parse(withLinks.links));
    const longBio = await one('SELECT id, bio FROM users WHERE LENGTH(bio) > 1500 LIMIT 1');
    if (longBio) expect((await get(`/api/users/${longBio.id}`)).body.bio).toBe(longBio.bio);
  });

  test("a user's activities: hosted and joined, soonest first, the same ones MySQL lists", async () => {
    const u = await one('SELECT a.host_id AS id FROM activities a JOIN activity_participants p ON p.user_id = a.host_id GROUP BY a.host_id LIMIT 1');
    const [rows] = await db.pool.query(
      `SELECT id, starts_at FROM activities WHERE host_id = ? UNION ALL
       SELECT a.id, a.starts_at FROM activity_participants p JOIN activities a ON a.id = p.activity_id WHERE p.user_id = ? ORDER BY starts_at, id`,
      [u.id, u.id],
    );
    const { status, body } = await get(`/api/users/${u.id}/activities`);
    expect(status).toBe(200);
    expect(body.userId).toBe(u.id);
    expect(body.activities.map((a: Json) => a.id)).toEqual((rows as Json[]).map((r) => r.id));
    expect(new Set(body.activities.map((a: Json) => a.role))).toEqual(new Set(['host', 'participant']));
  });

  test('an activity from Activity + its Participation children + its Chat', async () => {
    const a = await one('SELECT a.*, COUNT(p.user_id) AS taken FROM activities a JOIN activity_participants p ON p.activity_id = a.id GROUP BY a.id ORDER BY a.id LIMIT 1');
    const [parts] = await db.pool.query('SELECT user_id, joined_at FROM activity_participants WHERE activity_id = ? ORDER BY joined_at, user_id', [a.id]);
    const { status, body } = await get(`/api/activities/${a.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: a.id,
      capacity: a.capacity,
      price: a.price,
      isPublic: a.is_public === 1,
      startsAt: a.starts_at,
      host: { id: a.host_id },
      participantCount: Number(a.taken),
      spotsLeft: a.capacity - Number(a.taken),
      chatId: a.id,
    });
    expect(body.participants).toEqual((parts as Json[]).map((p) => ({ userId: p.user_id, joinedAt: p.joined_at })));
    expect(body.serverTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  });

  test('chat history pages backwards over the Message children and covers the chat exactly once', async () => {
    const chat = await one('SELECT chat_id AS id, COUNT(*) AS n, MAX(id) AS last FROM messages GROUP BY chat_id ORDER BY n DESC LIMIT 1');
    const seen: number[] = [];
    let before: number | null = null;
    for (let page = 0; page < 20; page++) {
      const res = await get(`/api/chats/${chat.id}/messages?limit=40${before ? `&before=${before}` : ''}`);
      expect(res.status).toBe(200);
      const ids = res.body.messages.map((m: Json) => m.id as number);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      seen.unshift(...ids);
      before = res.body.nextBefore;
      if (before === null) break;
    }
    expect(seen).toHaveLength(Number(chat.n));
    expect(new Set(seen).size).toBe(seen.length);
    expect(Math.max(...seen)).toBe(Number(chat.last));
    const last = await one('SELECT * FROM messages WHERE id = ?', [chat.last]);
    expect((await get(`/api/chats/${chat.id}/messages?limit=1`)).body.messages).toEqual([
      { id: Number(last.id), senderId: last.sender_id, body: last.body, sentAt: last.sent_at, editedAt: last.edited_at },
    ]);
  });

  test('errors answer like legacy: same statuses and error codes', async () => {
    expect(await get('/api/users/999999')).toMatchObject({ status: 404, body: { error: 'not_found', message: 'user 999999 not found' } });
    expect(await get('/api/chats/abc/messages')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await get('/api/chats/1/messages?limit=500')).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect(await get('/api/chats/1/messages?before=x')).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    const res = await fetch(`${service.url}/api/chats/1/messages`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
  });

  test('joining writes a Participation under its Activity, and refuses hosts, repeats, full activities and strangers', async () => {
    const a = await one('SELECT a.id, a.host_id FROM activities a WHERE a.host_id <> 42 AND NOT EXISTS (SELECT 1 FROM activity_participants p WHERE p.activity_id = a.id AND p.user_id = 42) ORDER BY a.id LIMIT 1');
    expect(await post(`/api/activities/${a.id}/join`)).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    const statsBefore = (await get('/api/users/42')).body.stats;
    const joined = await post(`/api/activities/${a.id}/join`, undefined, '42');
    expect(joined).toEqual({ status: 201, body: { activityId: a.id, userId: 42, joinedAt: expect.stringMatching(DATETIME) } });
    const [entity] = await ds.get(ds.key(['Activity', a.id, 'Participation', `${a.id}:42`]));
    expect(entity).toMatchObject({ activity_id: a.id, user_id: 42 });
    expect(entity.joined_at.toISOString().slice(0, 19).replace('T', ' ')).toBe(joined.body.joinedAt);
    expect((await get(`/api/activities/${a.id}`)).body.participants).toContainEqual({ userId: 42, joinedAt: joined.body.joinedAt });
    // The read model's lists changed with it: the user's profile counts the join, their list shows it.
    expect((await get('/api/users/42')).body.stats).toEqual({ ...statsBefore, activitiesJoined: statsBefore.activitiesJoined + 1 });
    expect((await get('/api/users/42/activities')).body.activities).toContainEqual(expect.objectContaining({ id: a.id, role: 'participant', joinedAt: joined.body.joinedAt }));
    expect(await post(`/api/activities/${a.id}/join`, undefined, '42')).toMatchObject({ status: 409, body: { error: 'already_joined' } });
    expect(await post(`/api/activities/${a.id}/join`, undefined, String(a.host_id))).toMatchObject({ status: 409, body: { error: 'is_host' } });
    expect(await post('/api/activities/999999/join', undefined, '42')).toMatchObject({ status: 404 });
    expect(await post(`/api/activities/${a.id}/join`, undefined, '999999')).toMatchObject({ status: 404 });
  });

  test('two users racing for the last seat: exactly one gets it', async () => {
    const a = await one('SELECT a.id, a.host_id, COUNT(p.user_id) AS taken FROM activities a LEFT JOIN activity_participants p ON p.activity_id = a.id WHERE a.id > 1 GROUP BY a.id ORDER BY a.id DESC LIMIT 1');
    const [activity] = await ds.get(ds.key(['Activity', a.id]));
    await ds.upsert({ key: ds.key(['Activity', a.id]), data: { ...activity, capacity: Number(a.taken) + 1 }, excludeFromIndexes: ['description'] });
    const [r1, r2] = await db.pool.query('SELECT id FROM users WHERE id <> ? AND id NOT IN (SELECT user_id FROM activity_participants WHERE activity_id = ?) LIMIT 2', [a.host_id, a.id]).then(([rows]) => rows as Json[]);
    const results = await Promise.all([post(`/api/activities/${a.id}/join`, undefined, String(r1!.id)), post(`/api/activities/${a.id}/join`, undefined, String(r2!.id))]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.body.error).toBe('activity_full');
    expect((await get(`/api/activities/${a.id}`)).body.spotsLeft).toBe(0);
  });

  test('posting a message takes the next id from the new-service range and reads back in the chat', async () => {
    const first = await post('/api/chats/3/messages', JSON.stringify({ body: 'Zoë says hi 👋🏽 "quoted"' }), '7');
    expect(first).toEqual({
      status: 201,
      body: { chatId: 3, id: expect.any(Number), senderId: 7, body: 'Zoë says hi 👋🏽 "quoted"', sentAt: expect.stringMatching(DATETIME), editedAt: null },
    });
    expect(first.body.id).toBeGreaterThanOrEqual(NEW_MESSAGE_ID_FLOOR);
    const second = await post('/api/chats/3/messages', JSON.stringify({ body: 'again' }), '8');
    expect(second.body.id).toBe(first.body.id + 1);
    const [stored] = await ds.get(ds.key(['Chat', 3, 'Message', first.body.id]));
    expect(stored).toMatchObject({ chat_id: 3, sender_id: 7, body: 'Zoë says hi 👋🏽 "quoted"', edited_at: null });
    const latest = await get('/api/chats/3/messages?limit=2');
    expect(latest.body.messages.map((m: Json) => m.id)).toEqual([first.body.id, second.body.id]);
    expect(await post('/api/chats/3/messages', JSON.stringify({ body: '   ' }), '7')).toMatchObject({ status: 422, body: { error: 'invalid_body' } });
    expect(await post('/api/chats/3/messages', 'not json', '7')).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect(await post('/api/chats/3/messages', JSON.stringify({ body: 'x' }))).toMatchObject({ status: 401 });
    expect(await post('/api/chats/999999/messages', JSON.stringify({ body: 'x' }), '7')).toMatchObject({ status: 404 });
  });

  test("a chat's history lists what migrate follow writes past its id list, and a chat without a list is listed by query", async () => {
    const chat = await one('SELECT chat_id AS id, MAX(id) AS last FROM messages GROUP BY chat_id ORDER BY chat_id LIMIT 1');
    const top = await one('SELECT MAX(id) AS id FROM messages');
    const written = Number(top.id) + 1;
    // As follow writes legacy's new message: the entity only, no list touched.
    const at = new Date('2025-06-02T10:00:00Z');
    await ds.upsert({ key: ds.key(['Chat', chat.id, 'Message', written]), data: { id: written, chat_id: chat.id, sender_id: 7, body: 'from legacy', sent_at: at, edited_at: null, updated_at: at } });
    const ids = async (c: number) => (await get(`/api/chats/${c}/messages?limit=3`)).body.messages.map((m: Json) => m.id as number);
    const deadline = Date.now() + 60_000;
    while (!(await ids(chat.id)).includes(written) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await ids(chat.id)).at(-1)).toBe(written);
    // The list took it: it is there by key now.
    const [index] = await ds.get(ds.key(['ChatIndex', chat.id]));
    expect(index.messages.map(Number)).toContain(written);
    // No list at all (a chat the read model never saw): the ancestor query, and the list written again.
    const other = await one('SELECT chat_id AS id, MAX(id) AS last FROM messages WHERE chat_id <> ? GROUP BY chat_id ORDER BY chat_id LIMIT 1', [chat.id]);
    await ds.delete(ds.key(['ChatIndex', other.id]));
    expect((await ids(other.id)).at(-1)).toBe(Number(other.last));
    expect(((await ds.get(ds.key(['ChatIndex', other.id])))[0]?.messages ?? []).map(Number)).toContain(Number(other.last));
  });
});

describe('the new service without a reachable Datastore', () => {
  test('health answers 503 within seconds instead of hanging on the client retries', async () => {
    const ds = new Datastore({ projectId: TEST_PROJECT, apiEndpoint: `127.0.0.1:${await deadPort()}` });
    const logged: unknown[] = [];
    const service = await startNewService({ datastore: ds, logError: (err) => logged.push(err) });
    try {
      const started = Date.now();
      const res = await fetch(`${service.url}/api/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'error', database: 'down' });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(logged).toHaveLength(1);
    } finally {
      await service.stop();
    }
  });
});
