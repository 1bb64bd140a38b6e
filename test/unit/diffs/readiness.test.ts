import type { RouteReport } from '../../../diffs/report/compute.js';
import { GATE_DEFAULTS, MIN_LIVE_ANSWERS, routeReadiness, type LiveLatency } from '../../../diffs/report/readiness.js';
import { dataCriterion, type DataEvidence } from '../../../diffs/report/readiness-data.js';
import type { MigrationsRead } from '../../../proxy/console/migrations-view.js';
import { dataEvidence } from '../../../proxy/readiness/data-evidence.js';

const NOW = new Date('2026-12-05T02:00:00Z');
const BOUNDS = { maxVerifyAgeMs: 86_400_000, maxLagMs: 300_000, now: NOW };
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

/** The parts of a route's report the gate reads. */
function report(newP95: number | undefined, legacyP95: number | undefined): RouteReport {
  return {
    route: 'r',
    compared: 500,
    mismatchRate: 0,
    mismatchUpper95: 0.0076,
    failures: { legacy: 0, new: 0 },
    latencyMs: { legacy: { p95: legacyP95 }, new: { p95: newP95 }, histogram: { boundsMs: [], legacy: [], new: [] } },
  } as unknown as RouteReport;
}

const live = (newRequests: number, newP95: number, legacyP95: number | null): LiveLatency => ({
  span: 'since the proxy started',
  legacy: { requests: legacyP95 === null ? 0 : 500, p95Ms: legacyP95 },
  new: { requests: newRequests, p95Ms: newP95 },
});

const latency = (r: RouteReport, l?: LiveLatency) =>
  routeReadiness(r, { slo: { p95Ms: 500, vsLegacy: 2 } }, l ? { live: new Map([['r', l]]) } : {}, { ...GATE_DEFAULTS, now: NOW }).criteria.find((c) => c.name === 'latency')!;

describe('the latency criterion: shadow pairs and live traffic', () => {
  test('both sources must pass; live traffic slower than its budget fails a route whose shadow pairs pass', () => {
    expect(latency(report(40, 30), live(1000, 45, 30))).toMatchObject({ ok: true });
    const slowLive = latency(report(40, 30), live(1000, 900, 30));
    expect(slowLive.ok).toBe(false);
    expect(slowLive.figure).toBe("shadow pairs: new p95 40 ms (≤ 500 ms budget and ≤ 2× legacy's 30 ms); live, 1000 answers of new since the proxy started: new p95 900 ms (≤ 500 ms budget and ≤ 2× legacy's 30 ms)");
  });

  test(`fewer than ${MIN_LIVE_ANSWERS} live answers of new judge nothing; live traffic alone is enough without pairs`, () => {
    expect(latency(report(40, 30), live(MIN_LIVE_ANSWERS - 1, 5000, 30))).toMatchObject({ ok: true });
    expect(latency(report(undefined, undefined), live(MIN_LIVE_ANSWERS - 1, 10, 10))).toMatchObject({ ok: false, figure: `no timed pairs and ${MIN_LIVE_ANSWERS - 1} live answer(s) of new (< ${MIN_LIVE_ANSWERS})` });
    // All on new: no legacy answers to compare with, the budget still holds.
    expect(latency(report(undefined, undefined), live(200, 120, null))).toMatchObject({ ok: true, figure: 'live, 200 answers of new since the proxy started: new p95 120 ms (≤ 500 ms budget; no legacy answers to compare)' });
  });
});

describe('the data criterion', () => {
  const evidence = (tables: DataEvidence['tables']): DataEvidence => ({ source: 'the checkpoint store', tables });

  test('clean, recent verifies and a copy within the lag bound pass, with each figure', () => {
    const r = dataCriterion(['users', 'chats'], evidence([
      { table: 'users', verify: { at: ago(120_000), clean: true }, lag: { seconds: 3, from: 'follow' } },
      { table: 'chats', verify: { at: ago(60_000), clean: true } },
    ]), BOUNDS);
    expect(r).toEqual({ ok: true, figure: 'from the checkpoint store; users clean 2 min ago, 3 s behind (follow); chats clean 1 min ago (verify ≤ 1440 min old, lag ≤ 300 s)' });
  });

  test('a table behind by more than --max-lag, one never verified and one not clean each fail it', () => {
    const r = dataCriterion(['users', 'chats', 'messages'], evidence([
      { table: 'users', verify: { at: ago(60_000), clean: true }, lag: { seconds: 900, from: 'sync' } },
      { table: 'messages', verify: { at: ago(60_000), clean: false, missing: 2, extra: 0, fieldDiffs: 1 } },
    ]), BOUNDS);
    expect(r.ok).toBe(false);
    expect(r.figure).toBe('from the checkpoint store; users 900 s behind MySQL by sync (≤ 300 s); chats never verified; messages not clean (2 missing, 0 extra, 1 field diffs)');
  });

  test('without evidence the criterion is not judged: it fails, saying why, never passes', () => {
    expect(dataCriterion(['users'], undefined, BOUNDS)).toEqual({ ok: false, judged: false, figure: 'not judged: tables users: no checkpoint store in the config (no migrate section), and no --verify-report FILE' });
    expect(dataCriterion(['users', 'chats'], undefined, BOUNDS, 'the checkpoint store did not answer')).toEqual({ ok: false, judged: false, figure: 'not judged: tables users, chats: the checkpoint store did not answer' });
  });
});

describe('dataEvidence: the checkpoint store as the Migrations page reads it, and follow', () => {
  const shard = (table: string, lagSeconds: number | null, lastSync: string | null, verifyAt?: string) =>
    ({ table, lagSeconds, lastSync, lastVerify: verifyAt ? { table, kind: 'K', at: verifyAt, clean: true, rows: 1, entities: 1, missing: 0, extra: 0, fieldDiffs: 0, ms: 1 } : null }) as unknown as MigrationsRead['tables'][number];

  test("a table lags by its slowest shard, from its last sync or backfill; follow's lag takes over once it ran after the sync", () => {
    const view: MigrationsRead = { configured: true, at: NOW.toISOString(), notStarted: [], tables: [shard('users', 40, null, ago(1000)), shard('users', 70, null), shard('chats', 5, '2026-12-05 01:59:55')] };
    expect(dataEvidence(view, undefined, 'store').tables).toEqual([
      { table: 'users', verify: { at: ago(1000), clean: true, missing: 0, extra: 0, fieldDiffs: 0 }, lag: { seconds: 70, from: 'backfill' } },
      { table: 'chats', lag: { seconds: 5, from: 'sync' } },
    ]);
    const follow = { stream: 'follow', updatedAt: '2026-12-05T01:59:58Z', lagSeconds: 0.4 };
    const withFollow = dataEvidence(view, follow, 'store').tables;
    expect(withFollow.map((t) => t.lag)).toEqual([{ seconds: 0, from: 'follow' }, { seconds: 0, from: 'follow' }]);
    // A sync after follow's last batch is the newer word.
    expect(dataEvidence(view, { ...follow, updatedAt: '2026-12-05T01:59:50Z' }, 'store').tables[1]!.lag).toEqual({ seconds: 5, from: 'sync' });
  });

});
