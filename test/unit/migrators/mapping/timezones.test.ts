import { buildMapping, refusals } from '../../../../migrators/mapping/build-mapping.js';
import { utcTwin } from '../../../../migrators/mapping/column-class.js';
import { dstWindows } from '../../../../migrators/mapping/dst-windows.js';
import type { TableFacts } from '../../../../migrators/mapping/types.js';
import { col, table } from './schema-builders.js';

const posts = table('posts', [col('id', 'int(11)', { nullable: false }), col('post_date', 'datetime'), col('post_date_gmt', 'datetime'), col('created', 'timestamp')]);
const codes = (r: { risks: { level: string; code: string; column?: string }[] }) => r.risks.filter((x) => /timezone|dst/.test(x.code)).map((x) => `${x.level} ${x.code} ${x.column}`);

describe('DATETIME zones in the plan', () => {
  test('undeclared zone on a server whose time_zone is not UTC: every DATETIME column is refused, TIMESTAMP is not', () => {
    const r = buildMapping(posts, undefined, { serverTimeZone: 'Europe/Berlin' });
    expect(codes(r)).toEqual(['error timezone-unknown post_date', 'error timezone-unknown post_date_gmt']);
    expect(refusals(r.risks)[0]!.message).toMatch(/server's time_zone is Europe\/Berlin/);
    expect(r.mapping.properties.find((p) => p.column === 'post_date')!.timeZone).toBe('UTC');
  });

  test.each(['UTC', '+00:00', 'SYSTEM-less UTC'.slice(-3), 'Etc/UTC', 'GMT'])('a UTC server (%s) and no twin evidence: read as UTC, no risk', (zone) => {
    expect(codes(buildMapping(posts, undefined, { serverTimeZone: zone }))).toEqual([]);
  });

  test('a twin that differs refuses only the local column; a declared zone (per column or source) lifts the refusal', () => {
    const facts: TableFacts = { columns: { post_date: { twin: 'post_date_gmt', twinDiffering: 7, twinMinOffset: 60, twinMaxOffset: 120 } } };
    expect(codes(buildMapping(posts, undefined, { serverTimeZone: 'UTC', facts }))).toEqual(['error timezone-unknown post_date']);
    const perColumn = buildMapping(posts, { kind: 'Post', columns: { post_date: { skip: false, timeZone: 'Europe/Berlin' } } }, { serverTimeZone: 'UTC', facts });
    expect(codes(perColumn)).toEqual(['info dst post_date']);
    expect(perColumn.mapping.properties.find((p) => p.column === 'post_date')!.timeZone).toBe('Europe/Berlin');
    const source = buildMapping(posts, undefined, { sourceTimeZone: 'Europe/Berlin', serverTimeZone: 'Europe/Berlin', facts });
    expect(codes(source)).toEqual(['info dst post_date', 'info dst post_date_gmt']);
  });

  test('a declared UTC that its twin contradicts is a warning; DST rows in a declared zone are a warning', () => {
    const facts: TableFacts = { columns: { post_date: { twin: 'post_date_gmt', twinDiffering: 3, twinMinOffset: 60, twinMaxOffset: 60, dstGap: 0, dstOverlap: 0 }, post_date_gmt: { dstGap: 2, dstOverlap: 1 } } };
    expect(codes(buildMapping(posts, undefined, { sourceTimeZone: 'UTC', facts }))).toEqual(['warning timezone-twin post_date']);
    const berlin = buildMapping(posts, undefined, { sourceTimeZone: 'Europe/Berlin', facts });
    expect(codes(berlin)).toEqual(['info dst post_date', 'warning dst-wall-clock post_date_gmt']);
    expect(berlin.risks.find((x) => x.code === 'dst-wall-clock')!.message).toMatch(/^2 row\(s\) .* skipped .* and 1 one repeated .* dead letters/);
    expect(berlin.risks.find((x) => x.code === 'dst')!.message).toMatch(/\(none in the data now\)$/);
  });

  test('utcTwin finds <name>_gmt / <name>_utc of a date/time type only', () => {
    const t = table('t', [col('id', 'int(11)'), col('a', 'datetime'), col('A_GMT', 'timestamp'), col('b', 'datetime'), col('b_utc', 'varchar(20)')]);
    expect(utcTwin(t.columns, 'a')).toBe('A_GMT');
    expect(utcTwin(t.columns, 'b')).toBeUndefined();
  });
});

describe('DST windows', () => {
  test('Berlin 2024: the skipped hour in March and the repeated hour in October, as wall-clock stretches', () => {
    expect(dstWindows('Europe/Berlin', 2024, 2024)).toEqual([
      { kind: 'gap', from: '2024-03-31 02:00:00', to: '2024-03-31 03:00:00' },
      { kind: 'overlap', from: '2024-10-27 02:00:00', to: '2024-10-27 03:00:00' },
    ]);
  });

  test('Lord Howe moves by 30 minutes; Sydney is southern; UTC has none', () => {
    expect(dstWindows('Australia/Lord_Howe', 2024, 2024)).toEqual([
      { kind: 'overlap', from: '2024-04-07 01:30:00', to: '2024-04-07 02:00:00' },
      { kind: 'gap', from: '2024-10-06 02:00:00', to: '2024-10-06 02:30:00' },
    ]);
    expect(dstWindows('Australia/Sydney', 2024, 2024).map((w) => w.kind)).toEqual(['overlap', 'gap']);
    expect(dstWindows('UTC', 1970, 2030)).toEqual([]);
  });
});
