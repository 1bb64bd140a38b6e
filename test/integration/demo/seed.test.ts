import { createHash } from 'node:crypto';
import { generateSeed, DEMO_SEED } from '../../../examples/demo/seed-data.js';
import { seedDemoDatabase } from '../../../examples/demo/seed.js';
import { createTestDatabase, type TestDatabase } from '../../support/services.js';

const SMALL = { users: 300, activities: 80, chats: 100, messages: 2000 };

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

async function checksums(db: TestDatabase): Promise<Record<string, string>> {
  const [rows] = await db.pool.query('CHECKSUM TABLE users, activities, activity_participants, chats, messages');
  return Object.fromEntries((rows as { Table: string; Checksum: string }[]).map((r) => [r.Table.split('.').pop()!, String(r.Checksum)]));
}

describe('demo seed', () => {
  test('the generator is deterministic: same seed, same data; another seed, other data', () => {
    expect(digest(generateSeed(SMALL))).toBe(digest(generateSeed(SMALL)));
    expect(digest(generateSeed({ ...SMALL, seed: 7 }))).not.toBe(digest(generateSeed(SMALL)));
  });

  test('two databases seeded alike hold identical tables', async () => {
    const [a, b] = await Promise.all([createTestDatabase('seed_a'), createTestDatabase('seed_b')]);
    try {
      await seedDemoDatabase(a.url, SMALL);
      await seedDemoDatabase(b.url, SMALL);
      const [sa, sb] = await Promise.all([checksums(a), checksums(b)]);
      expect(Object.values(sa)).toEqual(Array(5).fill(expect.stringMatching(/^\d+$/)));
      expect(sa).toEqual(sb);
      // Seeding again starts over from the same data rather than piling up.
      await seedDemoDatabase(a.url, SMALL);
      expect(await checksums(a)).toEqual(sb);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });

  describe('the full demo data set', () => {
    let db: TestDatabase;
    let summary: Awaited<ReturnType<typeof seedDemoDatabase>>;
    beforeAll(async () => {
      db = await createTestDatabase('seed_full');
      summary = await seedDemoDatabase(db.url);
    });
    afterAll(async () => {
      await db.drop();
    });

    test('has the advertised size, loaded with multi-row INSERTs', async () => {
      const [rows] = await db.pool.query(
        'SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM activities) AS activities, (SELECT COUNT(*) FROM chats) AS chats, (SELECT COUNT(*) FROM messages) AS messages, (SELECT COUNT(*) FROM activity_participants) AS participants',
      );
      const counts = (rows as Record<string, string>[])[0]!;
      expect(counts).toMatchObject({ users: '10000', activities: '2000', chats: '2500', messages: '50000' });
      expect(Number(counts.participants)).toBe(summary.counts.activity_participants);
      expect(summary.counts).toMatchObject({ users: DEMO_SEED.users, messages: DEMO_SEED.messages });
      // ~75k rows in a few dozen statements: a row-at-a-time seed would send one per row.
      expect(summary.statements).toBeLessThan(60);
      console.log(`demo seed: ${Object.values(summary.counts).reduce((a, b) => a + b, 0)} rows in ${summary.ms} ms, ${summary.statements} statements`);
    });

    test('is consistent although it is loaded with foreign key checks off', async () => {
      const [rows] = await db.pool.query(`SELECT
        (SELECT COUNT(*) FROM activities a LEFT JOIN users u ON u.id = a.host_id WHERE u.id IS NULL) AS orphan_activities,
        (SELECT COUNT(*) FROM activity_participants p LEFT JOIN users u ON u.id = p.user_id WHERE u.id IS NULL) AS orphan_participants,
        (SELECT COUNT(*) FROM messages m LEFT JOIN chats c ON c.id = m.chat_id WHERE c.id IS NULL) AS orphan_messages,
        (SELECT COUNT(*) FROM activity_participants p JOIN activities a ON a.id = p.activity_id WHERE p.user_id = a.host_id) AS hosts_joined,
        (SELECT COUNT(*) FROM (SELECT a.id FROM activities a JOIN activity_participants p ON p.activity_id = a.id
                               GROUP BY a.id, a.capacity HAVING COUNT(*) > a.capacity) x) AS overfull,
        (SELECT COUNT(*) FROM messages m JOIN chats c ON c.id = m.chat_id WHERE m.sent_at < c.created_at) AS messages_before_chat,
        (SELECT COUNT(*) FROM users WHERE links = '{}') AS empty_links,
        (SELECT COUNT(*) FROM users WHERE LENGTH(bio) > 1500) AS long_bios,
        (SELECT MAX(id) FROM messages) AS max_message`);
      const r = (rows as Record<string, string>[])[0]!;
      expect(r).toMatchObject({ orphan_activities: '0', orphan_participants: '0', orphan_messages: '0', hosts_joined: '0', overfull: '0', messages_before_chat: '0' });
      // The cases the demo relies on are present: PHP's [] for an empty map, unindexed long text.
      expect(Number(r.empty_links)).toBeGreaterThan(1000);
      expect(Number(r.long_bios)).toBeGreaterThan(10);
      // AUTO_INCREMENT continues after the seeded ids, so the legacy app's inserts do not collide.
      const [[status]] = (await db.pool.query(`SHOW TABLE STATUS LIKE 'messages'`)) as unknown as [Record<string, unknown>[]];
      expect(Number(status!.Auto_increment)).toBe(Number(r.max_message) + 1);
    });
  });
});
