import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLegacyApp } from '../../../examples/demo/legacy-app.js';
import { seedDemoDatabase } from '../../../examples/demo/seed.js';
import { findPhp, type PhpServer } from '../../../local-servers/php.js';
import { createTestDatabase, type TestDatabase } from '../../support/services.js';

const SMALL = { users: 300, activities: 80, chats: 100, messages: 2000 };
const DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('the legacy PHP app (php -S, PDO on MariaDB)', () => {
  let db: TestDatabase;
  let app: PhpServer;
  const get = async (p: string) => {
    const res = await fetch(app.url + p);
    return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
  };
  const post = async (p: string, body?: string, user?: string) => {
    const res = await fetch(app.url + p, { method: 'POST', body, headers: user ? { 'x-user-id': user } : {} });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const one = async (sql: string, params: unknown[] = []) => ((await db.pool.query(sql, params))[0] as Json[])[0]!;

  beforeAll(async () => {
    db = await createTestDatabase('legacy_php');
    await seedDemoDatabase(db.url, SMALL);
    app = await startLegacyApp({ mysqlUrl: db.url, workers: 2 });
  });
  afterAll(async () => {
    await app?.stop();
    await db.drop();
  });

  test('health: 200 JSON with the content-type both backends send', async () => {
    const res = await get('/api/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-served-by')).toBe('legacy-php');
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
  });

  test('a profile answers the PHP way: numeric strings, [] for an empty map, MySQL dates', async () => {
    const row = await one(`SELECT * FROM users WHERE links = '{}' AND bio IS NULL AND birthdate IS NOT NULL ORDER BY id LIMIT 1`);
    const stats = await one('SELECT (SELECT COUNT(*) FROM activity_participants WHERE user_id = ?) AS joined, (SELECT COUNT(*) FROM activities WHERE host_id = ?) AS hosted', [row.id, row.id]);
    const { status, body } = await get(`/api/users/${row.id}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      id: String(row.id),
      displayName: `${row.first_name} ${[...row.last_name][0]}.`,
      firstName: row.first_name,
      lastName: row.last_name,
      city: row.city,
      birthdate: row.birthdate,
      bio: null,
      verified: row.is_verified === 1,
      links: [],
      lastSeenAt: row.last_seen_at,
      memberSince: row.created_at,
      stats: { activitiesJoined: String(stats.joined), activitiesHosted: String(stats.hosted) },
    });
    expect(body.memberSince).toMatch(DATETIME);
    const withLinks = await one(`SELECT id, links FROM users WHERE links <> '{}' ORDER BY id LIMIT 1`);
    expect((await get(`/api/users/${withLinks.id}`)).body.links).toEqual(JSON.parse(withLinks.links));
  });

  test("a user's activities: hosted and joined, soonest first", async () => {
    const u = await one(`SELECT a.host_id AS id FROM activities a JOIN activity_participants p ON p.user_id = a.host_id GROUP BY a.host_id LIMIT 1`);
    const { status, body } = await get(`/api/users/${u.id}/activities`);
    expect(status).toBe(200);
    expect(body.userId).toBe(String(u.id));
    const roles = new Set(body.activities.map((a: Json) => a.role));
    expect(roles).toEqual(new Set(['host', 'participant']));
    const starts = body.activities.map((a: Json) => a.startsAt as string);
    expect(starts).toEqual([...starts].sort());
    for (const a of body.activities) {
      expect(a.id).toMatch(/^\d+$/);
      expect(a.joinedAt === null).toBe(a.role === 'host');
    }
    const nobody = await one('SELECT u.id FROM users u WHERE NOT EXISTS (SELECT 1 FROM activities WHERE host_id = u.id) AND NOT EXISTS (SELECT 1 FROM activity_participants WHERE user_id = u.id) LIMIT 1');
    expect((await get(`/api/users/${nobody.id}/activities`)).body).toEqual({ userId: String(nobody.id), activities: [] });
  });

  test('an activity: strings from MySQL, numbers from PHP arithmetic, serverTime changes on every call', async () => {
    const a = await one('SELECT a.*, COUNT(p.user_id) AS taken FROM activities a JOIN activity_participants p ON p.activity_id = a.id GROUP BY a.id ORDER BY a.id LIMIT 1');
    const first = await get(`/api/activities/${a.id}`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      id: String(a.id),
      capacity: String(a.capacity),
      price: a.price,
      isPublic: a.is_public === 1,
      startsAt: a.starts_at,
      host: { id: String(a.host_id) },
      participantCount: Number(a.taken),
      spotsLeft: a.capacity - Number(a.taken),
      chatId: String(a.id),
    });
    expect(first.body.price).toMatch(/^\d+\.\d\d$/);
    expect(first.body.participants).toHaveLength(Number(a.taken));
    expect(first.body.participants[0]).toEqual({ userId: expect.stringMatching(/^\d+$/), joinedAt: expect.stringMatching(DATETIME) });
    expect(first.body.serverTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    const second = await get(`/api/activities/${a.id}`);
    expect(second.body.serverTime).not.toBe(first.body.serverTime);
    expect({ ...second.body, serverTime: null }).toEqual({ ...first.body, serverTime: null });
  });

  test('chat history pages backwards with ?before= and covers the whole chat exactly once', async () => {
    const chat = await one('SELECT chat_id AS id, COUNT(*) AS n FROM messages GROUP BY chat_id ORDER BY n DESC LIMIT 1');
    const seen: number[] = [];
    let before: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res = await get(`/api/chats/${chat.id}/messages?limit=40${before ? `&before=${before}` : ''}`);
      expect(res.status).toBe(200);
      const ids = res.body.messages.map((m: Json) => Number(m.id));
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      seen.unshift(...ids);
      before = res.body.nextBefore;
      if (before === null) break;
      expect(before).toBe(res.body.messages[0].id);
    }
    expect(before).toBeNull();
    expect(seen).toHaveLength(Number(chat.n));
    expect(new Set(seen).size).toBe(seen.length);
    const latest = await get(`/api/chats/${chat.id}/messages?limit=1`);
    expect(latest.body.messages[0]).toEqual({
      id: String(Math.max(...seen)),
      senderId: expect.stringMatching(/^\d+$/),
      body: expect.any(String),
      sentAt: expect.stringMatching(DATETIME),
      editedAt: null === latest.body.messages[0].editedAt ? null : expect.stringMatching(DATETIME),
    });
  });

  test('errors answer JSON with the right status', async () => {
    expect(await get('/api/users/999999')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await get('/api/chats/abc/messages')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await get('/api/chats/1/messages?limit=500')).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    const res = await fetch(`${app.url}/api/chats/1/messages`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
  });

  test('joining an activity writes the row once, and refuses hosts, repeats, full activities and strangers', async () => {
    const a = await one('SELECT a.id, a.host_id FROM activities a WHERE NOT EXISTS (SELECT 1 FROM activity_participants p WHERE p.activity_id = a.id AND p.user_id = 42) AND a.host_id <> 42 ORDER BY a.id LIMIT 1');
    expect(await post(`/api/activities/${a.id}/join`)).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    const joined = await post(`/api/activities/${a.id}/join`, undefined, '42');
    expect(joined).toEqual({ status: 201, body: { activityId: String(a.id), userId: '42', joinedAt: expect.stringMatching(DATETIME) } });
    const row = await one('SELECT joined_at FROM activity_participants WHERE activity_id = ? AND user_id = 42', [a.id]);
    expect(row.joined_at).toBe(joined.body.joinedAt);
    expect(await post(`/api/activities/${a.id}/join`, undefined, '42')).toMatchObject({ status: 409, body: { error: 'already_joined' } });
    expect(await post(`/api/activities/${a.id}/join`, undefined, String(a.host_id))).toMatchObject({ status: 409, body: { error: 'is_host' } });
    expect(await post('/api/activities/999999/join', undefined, '42')).toMatchObject({ status: 404 });
    expect(await post(`/api/activities/${a.id}/join`, undefined, '999999')).toMatchObject({ status: 404 });
    await db.pool.query('UPDATE activities SET capacity = (SELECT COUNT(*) FROM activity_participants WHERE activity_id = ?) WHERE id = ?', [a.id, a.id]);
    const other = await one('SELECT id FROM users WHERE id NOT IN (42, ?) AND id NOT IN (SELECT user_id FROM activity_participants WHERE activity_id = ?) LIMIT 1', [a.host_id, a.id]);
    expect(await post(`/api/activities/${a.id}/join`, undefined, String(other.id))).toMatchObject({ status: 409, body: { error: 'activity_full' } });
  });

  test('posting a message stores it, emoji intact, with the next AUTO_INCREMENT id', async () => {
    const max = await one('SELECT MAX(id) AS id FROM messages');
    const sent = await post('/api/chats/3/messages', JSON.stringify({ body: 'Zoë says hi 👋🏽 "quoted"' }), '7');
    expect(sent).toEqual({
      status: 201,
      body: { chatId: '3', id: String(Number(max.id) + 1), senderId: '7', body: 'Zoë says hi 👋🏽 "quoted"', sentAt: expect.stringMatching(DATETIME), editedAt: null },
    });
    expect((await one('SELECT body FROM messages WHERE id = ?', [sent.body.id])).body).toBe('Zoë says hi 👋🏽 "quoted"');
    const latest = await get('/api/chats/3/messages?limit=1');
    expect(latest.body.messages[0]).toMatchObject({ id: sent.body.id, senderId: '7' });
    expect(await post('/api/chats/3/messages', JSON.stringify({ body: '   ' }), '7')).toMatchObject({ status: 422, body: { error: 'invalid_body' } });
    expect(await post('/api/chats/3/messages', 'not json', '7')).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect(await post('/api/chats/999999/messages', JSON.stringify({ body: 'x' }), '7')).toMatchObject({ status: 404 });
  });
});

describe('starting the legacy app', () => {
  test('without PHP, or without pdo_mysql, the error says exactly what to install', async () => {
    await expect(findPhp({ STRANGLER_PHP: '/nonexistent/php' })).rejects.toThrow(/apt-get install php-cli php-mysql/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-fake-php-'));
    try {
      const fake = path.join(dir, 'php');
      writeFileSync(fake, '#!/bin/sh\nprintf "[PHP Modules]\\nCore\\nPDO\\n"\n');
      chmodSync(fake, 0o755);
      await expect(findPhp({ STRANGLER_PHP: fake })).rejects.toThrow(/lacks the pdo_mysql extension.*apt-get install php-mysql/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a database it cannot reach fails the start, quoting the failed health answer', async () => {
    const url = new URL(process.env.STRANGLER_TEST_MYSQL_URL!);
    url.pathname = '/no_such_database_here';
    await expect(startLegacyApp({ mysqlUrl: url.toString(), workers: 1 })).rejects.toThrow(/answered 503: \{"status":"error","database":"down"\}/);
  });

  test('stop() ends the server and its workers', async () => {
    const db = await createTestDatabase('legacy_stop');
    try {
      await seedDemoDatabase(db.url, { users: 5, activities: 1, chats: 1, messages: 3 });
      const app = await startLegacyApp({ mysqlUrl: db.url, workers: 2 });
      expect((await fetch(`${app.url}/api/users/1`)).status).toBe(200);
      await app.stop();
      expect(() => process.kill(-app.pid, 0)).toThrow();
      await expect(fetch(`${app.url}/api/health`)).rejects.toThrow();
    } finally {
      await db.drop();
    }
  });
});
