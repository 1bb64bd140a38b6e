import { Datastore } from '@google-cloud/datastore';
import { createTestDatabase, testNamespace, TEST_PROJECT, type TestDatabase } from '../support/services.js';

describe('test harness: real MariaDB and Datastore emulator', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('harness');
  });
  afterAll(async () => {
    await db.drop();
  });

  test('MariaDB round-trips awkward values exactly', async () => {
    await db.pool.query(`CREATE TABLE awkward (id BIGINT PRIMARY KEY, big BIGINT, txt VARCHAR(100), maybe INT NULL, at DATETIME(6)) CHARACTER SET utf8mb4`);
    const big = '9007199254740993'; // 2^53 + 1: not representable as a JS number
    await db.pool.query('INSERT INTO awkward VALUES (?, ?, ?, ?, ?)', ['1', big, 'héllo 👋🏽 世界', null, '2024-02-29 23:59:59.123456']);
    const [rows] = await db.pool.query('SELECT * FROM awkward');
    expect(rows).toEqual([{ id: '1', big, txt: 'héllo 👋🏽 世界', maybe: null, at: '2024-02-29 23:59:59.123456' }]);
  });

  test('two databases of one run do not see each other', async () => {
    const other = await createTestDatabase('harness2');
    try {
      const [rows] = await other.pool.query('SHOW TABLES');
      expect(rows).toEqual([]);
    } finally {
      await other.drop();
    }
  });

  test('the emulator writes and reads entities in a namespace of its own', async () => {
    const namespace = testNamespace('harness');
    const ds = new Datastore({ projectId: TEST_PROJECT, namespace });
    const key = ds.key(['User', 42]);
    await ds.upsert({ key, data: { name: 'Zoë 🦊', big: ds.int('9007199254740993'), none: null } });
    const [entity] = await ds.get(key, { wrapNumbers: true });
    expect(entity.name).toBe('Zoë 🦊');
    expect(entity.big.value).toBe('9007199254740993');
    expect(entity.none).toBeNull();
    const other = new Datastore({ projectId: TEST_PROJECT, namespace: testNamespace('other') });
    const [inOther] = await other.get(other.key(['User', 42]));
    expect(inOther).toBeUndefined();
  });
});
