import { createReport } from '../../../diffs/report/compute.js';
import { formatHtml, highlightPair } from '../../../diffs/report/format-html.js';
import { formatText } from '../../../diffs/report/format-text.js';
import { percentile, wilsonUpper } from '../../../diffs/report/stats.js';
import type { Difference, DiffRecord } from '../../../diffs/types.js';
import { parseWellFormed, tableRows } from './html-check.js';

let n = 0;
function rec(route: string, differences: Difference[], extra: Partial<DiffRecord> = {}): DiffRecord {
  n++;
  return {
    id: `id-${n}`,
    time: new Date(Date.UTC(2026, 10, 23, 12, 0, 0) + n * 1000).toISOString(),
    route,
    method: 'GET',
    path: `/x/${n}`,
    requestId: `r-${n}`,
    primary: 'legacy',
    legacy: { status: 200, latencyMs: n % 100 },
    new: { status: 200, latencyMs: (n % 100) / 2 },
    match: differences.every((d) => d.noise),
    differences,
    ...extra,
  };
}

describe('report statistics', () => {
  test('Wilson upper bound at 95%', () => {
    expect(wilsonUpper(0, 100)).toBeCloseTo(0.037, 3);
    expect(wilsonUpper(5, 100)).toBeCloseTo(0.1118, 3);
    expect(wilsonUpper(0, 1000)).toBeCloseTo(0.00383, 4);
    expect(wilsonUpper(10, 10)).toBeCloseTo(1, 10);
    expect(wilsonUpper(0, 0)).toBe(1);
  });

  test('nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100 shuffled by reversal
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });
});

describe('report computation', () => {
  test('numbers match the records', () => {
    const records: DiffRecord[] = [];
    for (let i = 0; i < 190; i++) records.push(rec('users.get', []));
    for (let i = 0; i < 6; i++) records.push(rec('users.get', [{ path: `/friends/${i}/name`, kind: 'changed', legacy: 'a', new: 'b' }, { path: '/age', kind: 'type', legacy: '1', new: 1 }]));
    for (let i = 0; i < 4; i++) records.push(rec('users.get', [{ path: '/age', kind: 'missing', legacy: 3 }], { normalised: { numericStrings: 2, nullMissing: 1 } }));
    for (let i = 0; i < 50; i++) records.push(rec('feed.list', []));
    const acc = createReport({ maxMismatchPct: 10, minCompared: 100 });
    for (const r of records) acc.add(r);
    const report = acc.finish();
    expect(report.records).toBe(250);
    const [feed, users] = report.routes;
    expect(users).toMatchObject({ route: 'users.get', compared: 200, matched: 190, mismatched: 10, mismatchRate: 0.05, ready: true });
    expect(users!.mismatchUpper95).toBeCloseTo(wilsonUpper(10, 200), 10);
    expect(users!.topFields).toMatchObject([
      { path: '/age', count: 10, kinds: { type: 6, missing: 4 }, example: records[190]!.id },
      { path: '/friends/*/name', count: 6, kinds: { changed: 6 }, example: records[190]!.id },
    ]);
    // The request paths it differed on, by template, and example pairs with both values.
    expect(users!.topFields[0]!.templates).toEqual([{ template: '/x/:n', count: 10, paths: records.slice(190, 195).map((r) => r.path) }]);
    expect(users!.topFields[0]!.examples![0]).toEqual({ id: records[190]!.id, request: records[190]!.path, at: '/age', kind: 'type', legacy: '1', new: 1 });
    expect(users!.normalised).toEqual({ numericStrings: 8, emptyArrayObject: 0, nullMissing: 4, numberTolerance: 0 });
    const legacyMs = records.filter((r) => r.route === 'users.get').map((r) => r.legacy.latencyMs);
    expect(users!.latencyMs.legacy).toEqual({ p50: percentile(legacyMs, 50), p95: percentile(legacyMs, 95) });
    expect(users!.latencyMs.histogram.legacy.reduce((a, b) => a + b, 0)).toBe(200);
    expect(users!.latencyMs.histogram.legacy).toHaveLength(users!.latencyMs.histogram.boundsMs.length + 1);
    expect(feed).toMatchObject({ route: 'feed.list', compared: 50, matched: 50, ready: false, reasons: ['compared 50 < 100'] });
    expect(feed!.mismatchUpper95).toBeCloseTo(0.0713, 3); // 0 of 50 still allows up to 7.1%
    expect(report.ready).toBe(false);
  });

  test('noise learned by a later sample turns earlier differences on that field into noise', () => {
    const acc = createReport({ maxMismatchPct: 50, minCompared: 1 });
    acc.add(rec('r', [{ path: '/token', kind: 'changed', legacy: 'a', new: 'b' }]));
    acc.add(rec('r', [{ path: '/token', kind: 'changed', legacy: 'c', new: 'd' }, { path: '/name', kind: 'changed', legacy: 'x', new: 'y' }]));
    acc.add(rec('r', [{ path: '/token', kind: 'changed', noise: true }], { noiseLearned: ['/token', '/items/*/ts'] }));
    const [r] = acc.finish().routes;
    expect(r).toMatchObject({ compared: 3, matched: 2, mismatched: 1 });
    expect(r!.topFields.map((f) => f.path)).toEqual(['/name']);
    expect(r!.noiseFields).toMatchObject([{ path: '/token', count: 3, kinds: { changed: 3 }, example: expect.any(String), rates: { legacyLegacy: [1, 1], legacyNew: [3, 3] } }]);
    expect(r!.noise).toMatchObject({ samples: 1, templates: 1 });
  });

  test('route and since filters; expected routes without records are not ready', () => {
    const acc = createReport({ maxMismatchPct: 5, minCompared: 1, routes: ['a', 'c'], since: new Date(Date.UTC(2026, 10, 23, 12, 0, 0) + (n + 2) * 1000), expectedRoutes: ['b', 'c'] });
    acc.add(rec('a', [])); // one second before since
    acc.add(rec('a', [])); // at since
    acc.add(rec('a', []));
    acc.add(rec('a', []));
    acc.add(rec('b', []));
    const report = acc.finish();
    expect(report.routes.map((r) => [r.route, r.compared])).toEqual([['a', 3], ['c', 0]]);
    expect(report.routes[1]).toMatchObject({ ready: false, mismatchUpper95: 1 });
  });
});

describe('report formats', () => {
  const acc = createReport({ maxMismatchPct: 1, minCompared: 1 });
  for (const route of ['users.get', 'feed.list', 'chat<script>&"x"']) {
    for (let i = 0; i < 3; i++) acc.add(rec(route, i === 0 ? [{ path: '/a<b>', kind: 'changed', legacy: 1, new: 2 }] : []));
  }
  const report = acc.finish();

  test('the HTML report is one well-formed, self-contained page with every route in a table row', () => {
    const html = formatHtml(report);
    expect(parseWellFormed(html)).toEqual({ ok: true });
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(/i);
    const rows = tableRows(html, 'summary');
    expect(rows.map((r) => r[0]).sort()).toEqual(['chat<script>&"x"', 'feed.list', 'users.get']);
    const users = rows.find((r) => r[0] === 'users.get')!;
    expect(users.slice(1, 4)).toEqual(['3', '2', '33.33%']);
    expect(users.at(-1)).toBe('not ready');
    // Per route: a latency chart in inline SVG, the field with its request paths and an example pair with the difference highlighted.
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('<code>/a&lt;b&gt;</code> — 1 record(s) (changed 1)');
    expect(html).toMatch(/<td><mark class="del">1<\/mark><\/td><td><mark class="ins">2<\/mark><\/td>/);
  });

  test('an example pair highlights only the part that differs', () => {
    expect(highlightPair('Legacy Blog', 'Broken Blog')).toEqual(['<mark class="del">Legacy</mark> Blog', '<mark class="ins">Broken</mark> Blog']);
    expect(highlightPair('a<b', 'a<b>')).toEqual(['a&lt;b', 'a&lt;b<mark class="ins">&gt;</mark>']);
  });

  test('the well-formedness check itself rejects broken markup', () => {
    expect(parseWellFormed('<table><tr><td>x</tr></table>').ok).toBe(false);
    expect(parseWellFormed('<p>a < b</p>').ok).toBe(false);
    expect(parseWellFormed('<div><p>x</p>').ok).toBe(false);
  });

  test('the table lists every route with its verdict and fields', () => {
    const text = formatText(report);
    expect(text).toMatch(/users\.get\s+3\s+2\s+33\.33%\s+\S+%\s+\S+\s+\S+\s+NOT READY/);
    expect(text).toMatch(/\/a<b> {2}\(changed 1\) {2}e\.g\. id-\d+/);
  });
});
