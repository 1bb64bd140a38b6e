import { Datastore } from '@google-cloud/datastore';
import { startLegacyApp } from '../../../examples/demo/legacy-app.js';
import { seedDemoDatabase } from '../../../examples/demo/seed.js';
import { buildReadModel } from '../../../examples/new-service/build-read-model.js';
import { startNewService, type NewServiceHandle } from '../../../examples/new-service/server.js';
import type { PhpServer } from '../../../local-servers/php.js';
import { createTestDatabase, testNamespace, TEST_PROJECT, type TestDatabase } from '../../support/services.js';
import { writeMappedEntities } from './mapped-entities.js';
import { phpDifferences } from './php-normalise.js';

const SEED = { users: 200, activities: 50, chats: 60, messages: 1500 };

interface Answer {
  status: number;
  contentType: string | null;
  body: unknown;
}

/**
 * Both apps on the same seeded data: after the PHP normalisers, their answers differ only in the
 * deliberate difference (users.get /displayName) and the noise (activities.get /serverTime).
 */
describe('legacy PHP and the new service answer alike', () => {
  let db: TestDatabase;
  let legacy: PhpServer;
  let fresh: NewServiceHandle;
  const ask = async (base: string, p: string, init?: RequestInit): Promise<Answer> => {
    const res = await fetch(base + p, init);
    return { status: res.status, contentType: res.headers.get('content-type'), body: await res.json() };
  };
  /** The differing JSON paths of both answers to one request; status and content-type must match. */
  const differences = async (p: string, init?: RequestInit): Promise<string[]> => {
    const [a, b] = await Promise.all([ask(legacy.url, p, init), ask(fresh.url, p, init)]);
    expect({ path: p, status: b.status, contentType: b.contentType }).toEqual({ path: p, status: a.status, contentType: a.contentType });
    return phpDifferences(a.body, b.body);
  };
  const ids = async (sql: string): Promise<number[]> => ((await db.pool.query(sql))[0] as { id: number }[]).map((r) => Number(r.id));

  beforeAll(async () => {
    db = await createTestDatabase('parity');
    await seedDemoDatabase(db.url, SEED);
    const ds = new Datastore({ projectId: TEST_PROJECT, namespace: testNamespace('parity') });
    [, legacy, fresh] = await Promise.all([writeMappedEntities(db.pool, ds).then(() => buildReadModel(ds)), startLegacyApp({ mysqlUrl: db.url, workers: 2 }), startNewService({ datastore: ds })]);
  });
  afterAll(async () => {
    await Promise.all([legacy?.stop(), fresh?.stop()]);
    await db.drop();
  });

  test('GET /api/users/:id differs only in displayName ("Anna K." vs "Anna Kowalski")', async () => {
    // Every 10th user, plus those with an empty links map, a null bio and an essay of a bio.
    const sample = await ids(`SELECT id FROM users WHERE id % 10 = 3 OR id IN
      (SELECT MIN(id) FROM users WHERE links = '{}' UNION SELECT MIN(id) FROM users WHERE bio IS NULL UNION SELECT MIN(id) FROM users WHERE LENGTH(bio) > 1500)`);
    expect(sample.length).toBeGreaterThan(20);
    for (const id of sample) expect({ id, diff: await differences(`/api/users/${id}`) }).toEqual({ id, diff: ['/displayName'] });
  });

  test('GET /api/activities/:id differs only in serverTime (noise)', async () => {
    const sample = await ids('SELECT id FROM activities WHERE id % 4 = 1');
    for (const id of sample) expect({ id, diff: await differences(`/api/activities/${id}`) }).toEqual({ id, diff: ['/serverTime'] });
  });

  test('GET /api/users/:id/activities is equal', async () => {
    const sample = await ids('SELECT DISTINCT user_id AS id FROM activity_participants WHERE user_id % 5 = 0 UNION SELECT host_id FROM activities WHERE id % 5 = 0 UNION SELECT 1');
    for (const id of sample) expect({ id, diff: await differences(`/api/users/${id}/activities`) }).toEqual({ id, diff: [] });
  });

  test('GET /api/chats/:id/messages is equal, page by page', async () => {
    const chats = await ids('SELECT chat_id AS id FROM messages GROUP BY chat_id ORDER BY COUNT(*) DESC, chat_id LIMIT 6');
    const empty = await ids('SELECT id FROM chats WHERE id NOT IN (SELECT chat_id FROM messages) LIMIT 1');
    for (const id of [...chats, ...empty]) {
      expect({ id, diff: await differences(`/api/chats/${id}/messages`) }).toEqual({ id, diff: [] });
      for (const before of await ids(`SELECT id FROM messages WHERE chat_id = ${id} AND id % 7 = 0 LIMIT 3`)) {
        expect({ id, before, diff: await differences(`/api/chats/${id}/messages?before=${before}&limit=7`) }).toEqual({ id, before, diff: [] });
      }
    }
  });

  test('errors are the same statuses and bodies', async () => {
    for (const p of ['/api/users/999999', '/api/users/999999/activities', '/api/activities/999999', '/api/chats/999999/messages', '/api/chats/1/messages?limit=0', '/api/chats/1/messages?before=abc', '/api/chats/1/messages?before=9223372036854775807&limit=3', '/api/nothing', '/api/health']) {
      expect({ p, diff: await differences(p) }).toEqual({ p, diff: [] });
    }
    expect(await differences('/api/users/1', { method: 'DELETE' })).toEqual([]);
    expect(await differences('/api/activities/1/join', { method: 'POST' })).toEqual([]);
    expect(await differences('/api/chats/1/messages', { method: 'POST', headers: { 'x-user-id': '5' }, body: '{"body": ""}' })).toEqual([]);
    expect(await differences('/api/chats/1/messages', { method: 'POST', headers: { 'x-user-id': '5' }, body: '[1]' })).toEqual([]);
    expect(await differences('/api/chats/1/messages', { method: 'POST', headers: { 'x-user-id': '5' }, body: 'not json' })).toEqual([]);
    expect(await differences('/api/chats/1/messages', { method: 'POST', body: 'not json' })).toEqual([]);
    expect(await differences('/api/chats/1/messages', { method: 'POST', headers: { 'x-user-id': '5' }, body: JSON.stringify({ body: 'x'.repeat(2001) }) })).toEqual([]);
    expect(await differences('/api/chats/1/messages', { method: 'POST', headers: { 'x-user-id': '5' }, body: JSON.stringify({ body: 'x'.repeat(100_000) }) })).toEqual([]);
  });
});
