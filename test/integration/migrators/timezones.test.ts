import { readFileSync } from 'node:fs';
import { createMigrateEnv, events, type MigrateEnv } from './migrate-env.js';

/**
 * A WordPress-style table: post_date is the Berlin wall clock the PHP app wrote with date(),
 * post_date_gmt the same instant in UTC. Two rows sit in the hours Berlin's clocks skipped
 * (2024-03-31 02:30) and repeated (2024-10-27 02:30).
 */
const POSTS = `
  CREATE TABLE wp_posts (id INT PRIMARY KEY, title VARCHAR(50), post_date DATETIME NOT NULL, post_date_gmt DATETIME NOT NULL);
  INSERT INTO wp_posts VALUES
    (1, 'winter', '2024-01-15 12:00:00', '2024-01-15 11:00:00'),
    (2, 'summer', '2024-07-15 12:00:00', '2024-07-15 10:00:00'),
    (3, 'after fall back', '2024-10-27 03:30:00', '2024-10-27 02:30:00'),
    (4, 'skipped', '2024-03-31 02:30:00', '2024-03-31 01:30:00'),
    (5, 'repeated', '2024-10-27 02:30:00', '2024-10-27 00:30:00'),
    (6, 'zero', '0000-00-00 00:00:00', '0000-00-00 00:00:00');`;

const TABLES = { wp_posts: { kind: 'Post' } };

describe('DATETIME instants: right, or refused', () => {
  let env: MigrateEnv;
  beforeAll(async () => {
    env = await createMigrateEnv('mtz');
    await env.db.pool.query(`SET SESSION sql_mode = ''; ${POSTS}`);
  });
  afterAll(async () => env.close());

  test('no zone declared and a UTC twin that differs: the plan refuses the table and says why', async () => {
    env.writeConfig(TABLES);
    const r = await env.cli('migrate', 'plan', '-c', env.configFile, '--json');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out) as { sourceTimeZoneDeclared: boolean; tables: { table: string; refused: boolean; risks: { level: string; code: string; column?: string; message: string }[] }[] };
    expect(plan.sourceTimeZoneDeclared).toBe(false);
    const posts = plan.tables.find((t) => t.table === 'wp_posts')!;
    expect(posts.refused).toBe(true);
    const unknown = posts.risks.filter((x) => x.code === 'timezone-unknown');
    // post_date differs from its twin in 5 rows, by +60 (winter, after fall back) to +120 min (summer, …);
    // post_date_gmt has no twin and the server here runs in UTC, so it is not flagged.
    expect(unknown.map((x) => [x.level, x.column])).toEqual([['error', 'post_date']]);
    expect(unknown[0]!.message).toMatch(/differs from its UTC twin post_date_gmt in 5 row\(s\) by \+60 to \+120 min/);
  });

  test('run refuses the table with a catalogued error and writes nothing', async () => {
    const r = await env.cli('migrate', 'run', '-c', env.configFile);
    expect(r.code).toBe(2);
    expect(r.err).toContain('STRANGLER_E_MIGRATE_TIMEZONE_UNKNOWN');
    expect(r.err).toContain('post_date');
    expect(await env.count('Post')).toBe(0);
  });

  test('with the zone declared, the plan counts the DST rows, and the copy keeps every other instant', async () => {
    env.writeConfig(TABLES, { sourceTimeZone: 'Europe/Berlin' });
    const plan = JSON.parse((await env.cli('migrate', 'plan', '-c', env.configFile, '--json')).out) as { tables: { table: string; refused: boolean; risks: { code: string; column?: string; message: string }[] }[] };
    const posts = plan.tables.find((t) => t.table === 'wp_posts')!;
    expect(posts.refused).toBe(false);
    const dst = posts.risks.filter((x) => x.code === 'dst-wall-clock');
    // post_date has one skipped and one repeated time; read in Berlin too by this config, the UTC twin has 02:30 on 2024-10-27.
    expect(dst.map((x) => [x.column, x.message.replace(/ time skipped.* and (\d) one repeated.*/, ' $1')])).toEqual([
      ['post_date', '1 row(s) hold a Europe/Berlin 1'],
      ['post_date_gmt', '0 row(s) hold a Europe/Berlin 1'],
    ]);

    // The twin is UTC: say so per column, so only post_date is read in Berlin.
    env.writeConfig({ wp_posts: { kind: 'Post', columns: { post_date_gmt: { timeZone: 'UTC' } } } }, { sourceTimeZone: 'Europe/Berlin' });
    const r = await env.cli('migrate', 'run', '-c', env.configFile);
    expect(r.code).toBe(1);
    expect(r.err).toContain('STRANGLER_E_MIGRATE_DEAD_LETTERS');
    const summary = events(r.out).find((e) => e.event === 'summary') as { zeroDates: number; deadLetters: number };
    expect(summary).toMatchObject({ zeroDates: 2, deadLetters: 2 });
    const letters = readFileSync(env.deadLetterFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; reason: string });
    expect(letters.map((l) => [l.key, l.reason.replace(/ \(.*/, '')]).sort()).toEqual([
      ['4', 'column post_date: "2024-03-31 02:30:00" never happened in Europe/Berlin'],
      ['5', 'column post_date: "2024-10-27 02:30:00" happened twice in Europe/Berlin'],
    ]);
    const [rows] = await env.ds.runQuery(env.ds.createQuery('Post'));
    const byTitle = Object.fromEntries((rows as { title: string; post_date: Date | null; post_date_gmt: Date | null }[]).map((e) => [e.title, e]));
    expect(Object.keys(byTitle).sort()).toEqual(['after fall back', 'summer', 'winter', 'zero']);
    for (const title of ['after fall back', 'summer', 'winter']) expect(byTitle[title]!.post_date!.toISOString()).toBe(byTitle[title]!.post_date_gmt!.toISOString());
    expect(byTitle.zero!.post_date).toBeNull();
  });

  test('verify compares instants: clean for the copied rows, a FIELD_DIFF for an hour off', async () => {
    // The two DST rows are corrected in MySQL (the twin says which instant was meant) and copied again.
    await env.db.pool.query("UPDATE wp_posts SET post_date = '2024-03-31 03:30:00' WHERE id = 4; UPDATE wp_posts SET post_date = '2024-10-27 01:59:59', post_date_gmt = '2024-10-26 23:59:59' WHERE id = 5");
    const rerun = await env.cli('migrate', 'run', '-c', env.configFile, '--restart');
    expect(rerun.code).toBe(0);
    const clean = await env.cli('migrate', 'verify', '-c', env.configFile, '--json');
    expect(clean.code).toBe(0);

    const key = env.ds.key(['Post', env.ds.int(2)]);
    const [entity] = await env.ds.get(key);
    entity.post_date = new Date(entity.post_date.getTime() + 3_600_000);
    await env.ds.save({ key, data: entity });
    const dirty = await env.cli('migrate', 'verify', '-c', env.configFile, '--json');
    expect(dirty.code).toBe(1);
    expect(dirty.out).toContain('FIELD_DIFF');
    expect(dirty.out).toContain('post_date');
    expect(dirty.out).not.toContain('post_date_gmt');
  });
});
