import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import YAML from 'yaml';
import { runCli } from '../../../../cli/program.js';
import { bufferIo } from '../../../../cli/io.js';
import { parseConfig } from '../../../../config/load.js';
import type { Plan } from '../../../../migrators/plan/plan.js';
import { ROUNDTRIP_SOURCE_TIMEZONE, ROUNDTRIP_TABLES, seedRoundtrip } from '../../../support/fixtures/roundtrip.js';
import { deadPort } from '../../../support/http.js';
import { createTestDatabase, TEST_PROJECT, type TestDatabase } from '../../../support/services.js';

describe('strangler migrate plan (real MariaDB)', () => {
  let db: TestDatabase;
  let dir: string;
  const user = `planner_${process.pid}`;

  /** Writes a config file with this migrate section and returns its path. */
  function config(migrate: Record<string, unknown>, name = 'strangler.yaml'): string {
    const file = path.join(dir, name);
    writeFileSync(file, YAML.stringify({ migrate: { source: db.url, sourceTimeZone: ROUNDTRIP_SOURCE_TIMEZONE, target: { projectId: TEST_PROJECT }, ...migrate } }));
    return file;
  }

  async function plan(...argv: string[]) {
    const io = bufferIo({ ...process.env });
    const code = await runCli(['migrate', 'plan', ...argv], io);
    return { code, out: io.out(), err: io.err() };
  }

  beforeAll(async () => {
    db = await createTestDatabase('plan');
    await seedRoundtrip(db.pool);
    await db.pool.query('CREATE TABLE logs (at DATETIME NOT NULL, line TEXT NOT NULL)');
    await db.pool.query('CREATE TABLE places (id INT PRIMARY KEY, name VARCHAR(20), shape POINT NULL)');
    await db.pool.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'right-secret-4711'`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'strangler-plan-'));
  });
  afterAll(async () => {
    await db.pool.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('prints key strategy, types, index exclusions, rows and every risk of the configured tables', async () => {
    const r = await plan('-c', config({ tables: ROUNDTRIP_TABLES }));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('roundtrip → kind Roundtrip  5 rows');
    expect(r.out).toContain('  key: id → numeric id');
    expect(r.out).toContain('  key: (a, b) → key name "<a>:<b>"');
    expect(r.out).toContain('  key: id → numeric id, ancestor Chat(chat_id → id)');
    expect(r.out).toMatch(/ubig\s+bigint\(20\) unsigned\s+→ ubig\s+string/);
    expect(r.out).toMatch(/flag\s+tinyint\(1\)\s+→ flag\s+boolean/);
    expect(r.out).toMatch(/long_text\s+text\s+→ long_text\s+string\s+unindexed/);
    expect(r.out).toMatch(/dt\s+datetime\(6\)\s+→ dt\s+timestamp\s+in Europe\/Paris/);
    expect(r.out).toMatch(/doc\s+json\s+→ doc\s+entity\s+unindexed/);
    expect(r.out).toMatch(/tags\s+set\('a','b','c'\)\s+→ tags\s+array/);
    expect(r.out).toContain('WARNING ubig: BIGINT UNSIGNED holds values up to 18446744073709551615, above 2^63−1');
    expect(r.out).toContain('WARNING big: values beyond 2^53');
    expect(r.out).toContain('WARNING day: 1 row(s) hold the zero date 0000-00-00: written as null');
    expect(r.out).toContain('WARNING dt: 1 row(s) have digits below the millisecond');
    expect(r.out).toContain("WARNING 1 row(s) exceed Datastore's 1 MiB entity limit");
    expect(r.out).toContain('WARNING a: key column collation utf8mb4_unicode_ci is case-insensitive');
    expect(r.out).toContain('info    composite key (a, b)');
    expect(r.out).toContain('WARNING long_text: values can exceed 1500 bytes (up to 65535): unindexed; the longest value now is 1501 bytes');
    expect(r.out).toContain('info    bin: values can exceed 1500 bytes (up to 65535): unindexed; the longest value now is 3 bytes');
    expect(r.out).toMatch(/4 table\(s\), 0 refused, \d+ warning\(s\)/);
  });

  test('--json gives the same plan as data', async () => {
    const r = await plan('-c', config({ tables: ROUNDTRIP_TABLES }), '--json', '--table', 'roundtrip');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.out) as Plan;
    expect(p.tables.map((t) => t.table)).toEqual(['roundtrip']);
    const types = Object.fromEntries(p.tables[0]!.properties.map((x) => [x.column, x.type]));
    expect(types).toEqual({
      id: 'int', big: 'int', ubig: 'string', dec65: 'decimal', f: 'double', d: 'double', dt: 'timestamp', ts: 'timestamp', day: 'date', zdt: 'timestamp',
      flag: 'boolean', mood: 'string', tags: 'array', doc: 'entity', bin: 'blob', txt: 'string', long_text: 'string', huge: 'blob',
    });
    expect(p.tables[0]!.rows).toBe(5);
    expect(p.tables[0]!.risks.map((x) => x.code)).toEqual(expect.arrayContaining(['unsigned-beyond-int64', 'zero-dates', 'sub-millisecond', 'oversized-rows', 'long-value']));
  });

  test('--write emits a migrate.tables mapping that the config schema loads and that plans the same', async () => {
    const out = path.join(dir, 'mapping.yaml');
    const first = await plan('-c', config({ tables: ROUNDTRIP_TABLES }), '--json', '--write', out);
    expect(first.code).toBe(0);
    expect(first.err).toContain('mapping written to');
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('ubig: { type: string } # WARNING: BIGINT UNSIGNED holds values up to 18446744073709551615');
    const tables = YAML.parse(text) as Record<string, unknown>;
    const file = config({ tables }, 'written.yaml');
    const parsed = parseConfig(readFileSync(file, 'utf8'), file);
    expect(Object.keys(parsed.migrate!.tables)).toEqual(['chats', 'messages', 'pairs', 'roundtrip']);
    const refused = await plan('-c', file, '--write', out);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^strangler: --write .*mapping.yaml: the file exists \[STRANGLER_E_USAGE\]\n  hint: pass --force/);
    expect(readFileSync(out, 'utf8')).toBe(text);
    expect((await plan('-c', file, '--write', out, '--force', '--table', 'chats')).code).toBe(0);
    expect(Object.keys(YAML.parse(readFileSync(out, 'utf8')) as object)).toEqual(['chats']);
    const again = await plan('-c', file, '--json');
    expect(again.code).toBe(0);
    const strip = (p: Plan) => p.tables.map((t) => ({ ...t, risks: t.risks.filter((x) => x.code !== 'type-override') }));
    expect(strip(JSON.parse(again.out) as Plan)).toEqual(strip(JSON.parse(first.out) as Plan));
  });

  test('without migrate.tables the whole database is surveyed; a table without primary key is listed as refused', async () => {
    const r = await plan('-c', config({}), '--no-data');
    expect(r.code).toBe(0);
    expect(r.out).toContain('logs: REFUSED');
    expect(r.out).toContain('ERROR   no primary key: refused');
    expect(r.out).toContain('places: REFUSED');
    expect(r.out).toContain('ERROR   shape: point has no Datastore mapping');
    expect(r.out).toContain('~');
  });

  test.each([
    ['a table without primary key named with --table', { tables: {} }, ['--table', 'logs'], 'STRANGLER_E_MIGRATE_NO_PRIMARY_KEY', /table logs: no primary key: refused/],
    ['a configured table without primary key', { tables: { logs: { kind: 'Log' } } }, [], 'STRANGLER_E_MIGRATE_NO_PRIMARY_KEY', /migrate.tables.logs: table logs has no primary key/],
    ['an unknown table', { tables: { chat: { kind: 'Chat' } } }, [], 'STRANGLER_E_MIGRATE_UNKNOWN_TABLE', /migrate.tables.chat: database \w+ has no table "chat"/],
    ['an unknown --table', { tables: {} }, ['--table', 'nope'], 'STRANGLER_E_MIGRATE_UNKNOWN_TABLE', /--table nope: database \w+ has no table "nope"/],
    ['an unknown column', { tables: { chats: { kind: 'Chat', columns: { titel: { skip: true } } } } }, [], 'STRANGLER_E_MIGRATE_UNKNOWN_COLUMN', /migrate.tables.chats.columns.titel: table chats has no column "titel"/],
    ['an unknown parent column', { tables: { messages: { kind: 'Message', parent: { kind: 'Chat', column: 'chat' } } } }, [], 'STRANGLER_E_MIGRATE_UNKNOWN_COLUMN', /parent.column: table messages has no column "chat"/],
    ['a key that is not the primary key', { tables: { messages: { kind: 'Message', key: 'chat_id' } } }, [], 'STRANGLER_E_MIGRATE_KEY_MISMATCH', /\(chat_id\) is not the primary key of messages \(id\)/],
    ['two columns on one property', { tables: { chats: { kind: 'Chat', columns: { title: { rename: 'id' } } } } }, [], 'STRANGLER_E_MIGRATE_PROPERTY_CLASH', /columns id and title both map to property "id"/],
    ['an unsupported column type', { tables: { places: { kind: 'Place' } } }, [], 'STRANGLER_E_MIGRATE_UNSUPPORTED_TYPE', /columns.shape: point has no Datastore mapping/],
    ['a missing transform module', { tables: { chats: { kind: 'Chat', transform: './nope.mjs' } } }, [], 'STRANGLER_E_MIGRATE_TRANSFORM', /transform: .\/nope.mjs cannot be loaded/],
  ])('%s: one line, exit 2, nothing written', async (_name, migrate, extra, code, message) => {
    const out = path.join(dir, `never-${code}.yaml`);
    const r = await plan('-c', config(migrate as Record<string, unknown>), '--write', out, ...(extra as string[]));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')[0]).toMatch(message);
    expect(r.err.split('\n')[0]).toContain(`[${code}]`);
    expect(existsSync(out)).toBe(false);
  });

  test('unreachable MySQL: one line, exit 1', async () => {
    const url = new URL(db.url);
    url.port = String(await deadPort());
    const r = await plan('-c', config({ source: url.toString() }));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^strangler: MySQL at mysql:\/\/root@127\.0\.0\.1:\d+\/\w+ cannot be reached: .*ECONNREFUSED.* \[STRANGLER_E_MYSQL_UNREACHABLE\]\n  hint: /);
  });

  test('wrong password: one line, exit 2, the password never printed', async () => {
    const url = new URL(db.url);
    url.username = user;
    url.password = 'wrong-secret-4711';
    const r = await plan('-c', config({ source: url.toString() }));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^strangler: MySQL at mysql:\/\/planner_\d+:\*\*\*@.* refused the connection: .*Access denied .*\[STRANGLER_E_MYSQL_AUTH\]\n  hint: /);
    expect(r.err + r.out).not.toContain('wrong-secret-4711');
  });

  test('a transform module is loaded and shown in the plan', async () => {
    writeFileSync(path.join(dir, 'upper.mjs'), 'export default (row, entity) => ({ ...entity, title: String(row.title).toUpperCase() });\n');
    const r = await plan('-c', config({ tables: { chats: { kind: 'Chat', transform: './upper.mjs' } } }));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('  transform: ./upper.mjs');
  });

  test("a table's onChange module and reverse settings are kept by --write (plan does not load the module: follow does)", async () => {
    const out = path.join(dir, 'on-change.yaml');
    const r = await plan('-c', config({ tables: { chats: { kind: 'Chat', onChange: './read-model-hook.mjs', reverse: { updatedAt: 'changedAt', tombstone: 'gone' } } } }), '--write', out);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(r.out).toContain('  onChange: ./read-model-hook.mjs (migrate follow calls it per applied batch)');
    const written = readFileSync(out, 'utf8');
    expect(written).toMatch(/\nchats:\n  kind: Chat\n  key: id\n  onChange: \.\/read-model-hook\.mjs\n  reverse: \{ updatedAt: changedAt, tombstone: gone, conflict: newest, keySet: false \}\n/);
  });

  test('the README example runs and prints what the README shows', async () => {
    const readme = readFileSync(path.join(process.cwd(), 'README.md'), 'utf8');
    const yamlBlock = /<!-- readme-example: migrate-plan-config -->\n```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const shown = /```\n\$ strangler migrate plan -c strangler.yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const file = path.join(dir, 'readme.yaml');
    writeFileSync(file, yamlBlock.replace(/source: .*/, `source: ${db.url}`));
    const r = await plan('-c', file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.replace(`database ${db.name}`, 'database legacy')).toBe(shown);
  });
});
