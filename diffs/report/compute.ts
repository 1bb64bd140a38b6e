/**
 * From diff records to a report: per route compared / matched / mismatch rate and its Wilson upper
 * bound, top differing fields with kinds, the request paths (by template) and example pairs, noise
 * fields with their rates, noise samples and whether they are enough, GETs that look like writes,
 * normaliser counts, latencies, and a verdict. Pure: records are fed one by one (files may be large),
 * the report comes out of finish().
 *
 * Noise is judged across the whole selection, per route, request path template and field
 * (noise-rates.ts): a field's difference in a record is noise when, on that template, legacy was seen
 * to differ from itself on it and legacy-vs-new does not differ clearly more often. A record whose
 * differences are all noise counts as matched. The verdict is a plain function of the counts.
 */
import { NoiseRates, isNoiseIn, neverNoise, observationOf, type TemplateTally } from '../noise-rates.js';
import { NORMALISERS, type DiffKind, type DiffRecord, type NormaliseCounts } from '../types.js';
import { FieldStats, type FieldExample, type TemplateFieldStat } from './field-stats.js';
import { LATENCY_BOUNDS_MS, histogram, percentile, wilsonUpper } from './stats.js';

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
  /** Noise samples a template needs (or as many as its records) for the report to call them enough (default 10). */
  minNoiseSamples?: number;
  now?: Date;
}

export interface FieldStat {
  path: string;
  count: number;
  kinds: Partial<Record<DiffKind, number>>;
  /** The id of one record where it differs, for `diffs show`. */
  example?: string;
  /** Where it differed: per request path template, the count and a few request paths. */
  templates?: { template: string; count: number; paths: string[] }[];
  /** A few pairs where it differed, with both values. */
  examples?: FieldExample[];
  /** For noise: pairs where it differed / pairs, legacy vs legacy and legacy vs new (templates where it is noise). */
  rates?: { legacyLegacy: [number, number]; legacyNew: [number, number] };
}

export interface NoiseSamples {
  /** Requests legacy answered twice. */
  samples: number;
  /** Request path templates seen. */
  templates: number;
  /** True when every template has minNoiseSamples samples, or one per record. */
  enough: boolean;
  /** Templates short of samples (at most 10): a difference there is judged against a thin floor. */
  short: { template: string; samples: number; compared: number }[];
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
  noise: NoiseSamples;
  /** Records with a difference in a body that is not structured (text or binary): never learnt as noise. */
  unstructured: number;
  /** GET paths whose two legacy answers differed like after a write (a new id), with what changed: candidates for proxy.shadow.exclude. */
  writeSuspects: { path: string; change: string }[];
  normalised: NormaliseCounts;
  latencyMs: {
    legacy: { p50?: number; p95?: number };
    new: { p50?: number; p95?: number };
    /** Counts per bucket (≤ bound ms, the last one above every bound), for a distribution chart. */
    histogram: { boundsMs: number[]; legacy: number[]; new: number[] };
  };
  /** Pairs in which each side failed (a 5xx, a timeout or a reset): what the readiness gate's errors criterion reads. */
  failures: { legacy: number; new: number };
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
  rates: NoiseRates;
  /** Records grouped by template and their set of differing generic paths: "template\0a\nb" → records. */
  signatures: Map<string, number>;
  fields: FieldStats;
  unstructured: number;
  writeSuspects: Map<string, string>;
  normalised: NormaliseCounts;
  legacyMs: number[];
  newMs: number[];
  failures: { legacy: number; new: number };
}

function newAcc(): RouteAcc {
  return { compared: 0, rates: new NoiseRates(), signatures: new Map(), fields: new FieldStats(), unstructured: 0, writeSuspects: new Map(), normalised: { numericStrings: 0, emptyArrayObject: 0, nullMissing: 0, numberTolerance: 0 }, legacyMs: [], newMs: [], failures: { legacy: 0, new: 0 } };
}

const MAX_WRITE_SUSPECTS = 20;

function sum(stats: readonly TemplateFieldStat[], pick: (s: TemplateFieldStat) => void): void {
  for (const s of stats) pick(s);
}

/** One field's stat over the templates given (those where it is real, or those where it is noise). */
function fieldStat(path: string, stats: readonly TemplateFieldStat[]): FieldStat {
  const f: FieldStat = { path, count: 0, kinds: {}, templates: [], examples: [] };
  sum(stats, (s) => {
    f.count += s.count;
    for (const [k, n] of Object.entries(s.kinds) as [DiffKind, number][]) f.kinds[k] = (f.kinds[k] ?? 0) + n;
    f.templates!.push({ template: s.template, count: s.count, paths: s.paths });
    if (f.examples!.length < 3) f.examples!.push(...s.examples.slice(0, 3 - f.examples!.length));
  });
  f.templates!.sort((a, b) => b.count - a.count || (a.template < b.template ? -1 : 1));
  if (f.examples!.length > 0) f.example = f.examples![0]!.id;
  return f;
}

function noiseSamples(templates: ReadonlyMap<string, TemplateTally>, min: number): NoiseSamples {
  let samples = 0;
  const short: NoiseSamples['short'] = [];
  for (const [template, t] of templates) {
    samples += t.samples;
    if (t.samples < Math.min(min, t.compared)) short.push({ template, samples: t.samples, compared: t.compared });
  }
  short.sort((a, b) => b.compared - a.compared);
  return { samples, templates: templates.size, enough: short.length === 0, short: short.slice(0, 10) };
}

/** The verdict on one route's counts: ready, or the reasons it is not. */
export function routeVerdict(compared: number, mismatched: number, options: Pick<ReportOptions, 'maxMismatchPct' | 'minCompared'>): { ready: boolean; upper: number; reasons: string[] } {
  const upper = wilsonUpper(mismatched, compared);
  const reasons: string[] = [];
  if (compared < options.minCompared) reasons.push(`compared ${compared} < ${options.minCompared}`);
  if (upper * 100 > options.maxMismatchPct) reasons.push(`mismatch upper bound ${(upper * 100).toFixed(2)}% > ${options.maxMismatchPct}%`);
  return { ready: reasons.length === 0, upper, reasons };
}

function finishRoute(route: string, acc: RouteAcc, options: ReportOptions): RouteReport {
  const top = options.top ?? 10;
  const templates = acc.rates.templates(route);
  let matched = 0;
  for (const [sig, n] of acc.signatures) {
    const cut = sig.indexOf('\0');
    const template = sig.slice(0, cut);
    const fields = sig.slice(cut + 1);
    if (fields === '' || fields.split('\n').every((g) => isNoiseIn(templates.get(template), g))) matched += n;
  }
  const real: FieldStat[] = [];
  const noise: FieldStat[] = [];
  for (const [path, byTemplate] of acc.fields.byField) {
    const r: TemplateFieldStat[] = [];
    const z: TemplateFieldStat[] = [];
    for (const s of byTemplate.values()) (isNoiseIn(templates.get(s.template), path) ? z : r).push(s);
    if (r.length > 0) real.push(fieldStat(path, r));
    if (z.length > 0) {
      const f = fieldStat(path, z);
      const rates = { legacyLegacy: [0, 0] as [number, number], legacyNew: [0, 0] as [number, number] };
      for (const s of z) {
        const t = templates.get(s.template)!;
        rates.legacyLegacy[0] += t.sampleFields.get(path) ?? 0;
        rates.legacyLegacy[1] += t.samples;
        rates.legacyNew[0] += t.comparedFields.get(path) ?? 0;
        rates.legacyNew[1] += t.compared;
      }
      f.rates = rates;
      noise.push(f);
    }
  }
  const order = (a: FieldStat, b: FieldStat) => b.count - a.count || (a.path < b.path ? -1 : 1);
  real.sort(order);
  noise.sort(order);
  const mismatched = acc.compared - matched;
  const v = routeVerdict(acc.compared, mismatched, options);
  return {
    route,
    compared: acc.compared,
    matched,
    mismatched,
    mismatchRate: acc.compared === 0 ? 0 : mismatched / acc.compared,
    mismatchUpper95: v.upper,
    topFields: real.slice(0, top),
    noiseFields: noise.slice(0, top),
    noise: noiseSamples(templates, options.minNoiseSamples ?? 10),
    unstructured: acc.unstructured,
    writeSuspects: [...acc.writeSuspects].map(([path, change]) => ({ path, change })),
    normalised: acc.normalised,
    latencyMs: {
      legacy: { p50: percentile(acc.legacyMs, 50), p95: percentile(acc.legacyMs, 95) },
      new: { p50: percentile(acc.newMs, 50), p95: percentile(acc.newMs, 95) },
      histogram: { boundsMs: [...LATENCY_BOUNDS_MS], legacy: histogram(acc.legacyMs), new: histogram(acc.newMs) },
    },
    failures: { ...acc.failures },
    ready: v.ready,
    reasons: v.reasons,
  };
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
      if (r.legacy.status >= 500 || r.legacy.error !== undefined) acc.failures.legacy++;
      if (r.new.status >= 500 || r.new.error !== undefined) acc.failures.new++;
      for (const n of NORMALISERS) acc.normalised[n] += r.normalised?.[n] ?? 0;
      const o = observationOf(r);
      acc.rates.add(r.route, o);
      acc.fields.add(r, o.template);
      const fields = [...(o.fields as Set<string>)].sort();
      if (fields.some(neverNoise)) acc.unstructured++;
      const signature = o.template + '\0' + fields.join('\n');
      acc.signatures.set(signature, (acc.signatures.get(signature) ?? 0) + 1);
      if (r.writeSuspect !== undefined && acc.writeSuspects.size < MAX_WRITE_SUSPECTS && !acc.writeSuspects.has(r.path)) acc.writeSuspects.set(r.path, r.writeSuspect);
    },

    finish() {
      for (const r of options.expectedRoutes ?? []) if (!only || only.has(r)) accFor(r);
      for (const r of only ?? []) accFor(r);
      const out: RouteReport[] = [...routes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([route, acc]) => finishRoute(route, acc, options));
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
