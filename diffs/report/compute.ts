/**
 * From diff records to a report: per route compared / matched / mismatch rate and its Wilson upper
 * bound, top differing fields with kinds, noise fields, normaliser counts, latencies, and a verdict.
 * Pure: records are fed one by one (files may be large), the report comes out of finish().
 *
 * Noise is applied across the whole selection: a field learned as noise by any sample of a route
 * turns its differences in every record of that route into noise, even records stored before the
 * sample; a record whose differences are all noise counts as matched.
 */
import { genericPath } from '../pointer.js';
import { NoiseSet } from '../noise-book.js';
import { NORMALISERS, type DiffKind, type DiffRecord, type NormaliseCounts } from '../types.js';
import { percentile, wilsonUpper } from './stats.js';

export interface ReportOptions {
  /** Only these routes (all when empty or undefined). */
  routes?: readonly string[];
  /** Only records at or after this time. */
  since?: Date;
  /** A route is ready when the 95% upper bound of its mismatch rate is at most this (percent). */
  maxMismatchPct: number;
  /** …and it has at least this many compared pairs. */
  minCompared: number;
  /** Routes to report even without records (e.g. the configured routes with shadow on). */
  expectedRoutes?: readonly string[];
  /** Top differing fields listed per route. */
  top?: number;
  now?: Date;
}

export interface FieldStat {
  path: string;
  count: number;
  kinds: Partial<Record<DiffKind, number>>;
  /** The id of one record where it differs, for `diffs show`. */
  example?: string;
}

export interface RouteReport {
  route: string;
  compared: number;
  matched: number;
  mismatched: number;
  /** Fractions 0..1. */
  mismatchRate: number;
  mismatchUpper95: number;
  topFields: FieldStat[];
  noiseFields: FieldStat[];
  normalised: NormaliseCounts;
  latencyMs: { legacy: { p50?: number; p95?: number }; new: { p50?: number; p95?: number } };
  ready: boolean;
  /** Why not ready (empty when ready). */
  reasons: string[];
}

export interface Report {
  generatedAt: string;
  since?: string;
  maxMismatchPct: number;
  minCompared: number;
  routes: RouteReport[];
  ready: boolean;
  /** Records read and selected. */
  records: number;
}

interface RouteAcc {
  compared: number;
  noise: NoiseSet;
  /** Mismatch candidates grouped by their set of differing generic paths: "a\nb" → records. */
  signatures: Map<string, number>;
  fields: Map<string, FieldStat>;
  normalised: NormaliseCounts;
  legacyMs: number[];
  newMs: number[];
}

function newAcc(): RouteAcc {
  return { compared: 0, noise: new NoiseSet(10_000), signatures: new Map(), fields: new Map(), normalised: { numericStrings: 0, emptyArrayObject: 0, nullMissing: 0, numberTolerance: 0 }, legacyMs: [], newMs: [] };
}

export interface ReportAccumulator {
  add(record: DiffRecord): void;
  finish(): Report;
}

export function createReport(options: ReportOptions): ReportAccumulator {
  const routes = new Map<string, RouteAcc>();
  const only = options.routes && options.routes.length > 0 ? new Set(options.routes) : undefined;
  const since = options.since?.getTime();
  let selected = 0;

  const accFor = (route: string) => {
    let acc = routes.get(route);
    if (!acc) routes.set(route, (acc = newAcc()));
    return acc;
  };

  return {
    add(r) {
      if (only && !only.has(r.route)) return;
      if (since !== undefined && !(Date.parse(r.time) >= since)) return;
      selected++;
      const acc = accFor(r.route);
      acc.compared++;
      acc.legacyMs.push(r.legacy.latencyMs);
      acc.newMs.push(r.new.latencyMs);
      for (const g of r.noiseLearned ?? []) acc.noise.add(g);
      for (const n of NORMALISERS) acc.normalised[n] += r.normalised?.[n] ?? 0;
      const paths = new Set<string>();
      for (const d of r.differences) {
        const g = genericPath(d.path);
        if (d.noise) acc.noise.add(g);
        paths.add(g);
        let f = acc.fields.get(g);
        if (!f) acc.fields.set(g, (f = { path: g, count: 0, kinds: {}, example: r.id }));
        f.kinds[d.kind] = (f.kinds[d.kind] ?? 0) + 1;
      }
      for (const g of paths) acc.fields.get(g)!.count++;
      const signature = [...paths].sort().join('\n');
      acc.signatures.set(signature, (acc.signatures.get(signature) ?? 0) + 1);
    },

    finish() {
      for (const r of options.expectedRoutes ?? []) if (!only || only.has(r)) accFor(r);
      for (const r of only ?? []) accFor(r);
      const top = options.top ?? 10;
      const out: RouteReport[] = [...routes.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([route, acc]) => {
          let matched = 0;
          for (const [sig, n] of acc.signatures) {
            if (sig === '' || sig.split('\n').every((g) => acc.noise.covers(g))) matched += n;
          }
          const fields = [...acc.fields.values()].sort((a, b) => b.count - a.count || (a.path < b.path ? -1 : 1));
          const mismatched = acc.compared - matched;
          const upper = wilsonUpper(mismatched, acc.compared);
          const reasons: string[] = [];
          if (acc.compared < options.minCompared) reasons.push(`compared ${acc.compared} < ${options.minCompared}`);
          if (upper * 100 > options.maxMismatchPct) reasons.push(`mismatch upper bound ${(upper * 100).toFixed(2)}% > ${options.maxMismatchPct}%`);
          return {
            route,
            compared: acc.compared,
            matched,
            mismatched,
            mismatchRate: acc.compared === 0 ? 0 : mismatched / acc.compared,
            mismatchUpper95: upper,
            topFields: fields.filter((f) => !acc.noise.covers(f.path)).slice(0, top),
            noiseFields: fields.filter((f) => acc.noise.covers(f.path)).concat(acc.noise.list().filter((g) => !acc.fields.has(g)).map((g) => ({ path: g, count: 0, kinds: {} }))),
            normalised: acc.normalised,
            latencyMs: {
              legacy: { p50: percentile(acc.legacyMs, 50), p95: percentile(acc.legacyMs, 95) },
              new: { p50: percentile(acc.newMs, 50), p95: percentile(acc.newMs, 95) },
            },
            ready: reasons.length === 0,
            reasons,
          };
        });
      const report: Report = {
        generatedAt: (options.now ?? new Date()).toISOString(),
        maxMismatchPct: options.maxMismatchPct,
        minCompared: options.minCompared,
        routes: out,
        ready: out.length > 0 && out.every((r) => r.ready),
        records: selected,
      };
      if (options.since) report.since = options.since.toISOString();
      return report;
    },
  };
}
