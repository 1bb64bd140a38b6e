/**
 * The readiness gate of a route (pure): the diff report's responses verdict, plus the criteria a user
 * would notice after a cutover: latency (the route's SLO, and against legacy), errors (the new
 * service's failure rate against legacy's), and data (a clean, recent `migrate verify` of the tables
 * the route names, and a copy that keeps up: readiness-data.ts). Latency is judged on the shadow
 * pairs and, where the proxy has served enough of the route, on its live traffic as well.
 */
import type { Report, RouteReport } from './compute.js';
import { dataCriterion, type DataEvidence } from './readiness-data.js';
import { wilsonUpper } from './stats.js';

export type { DataEvidence, TableEvidence, VerifyEvidence } from './readiness-data.js';

export interface RouteGateConfig {
  slo: { p95Ms: number; vsLegacy: number };
  tables?: readonly string[];
}

export interface GateSettings {
  maxMismatchPct: number;
  minCompared: number;
  /** New's failure rate (95% upper bound) may exceed legacy's by this many percentage points. */
  errorMarginPct: number;
  /** A verify older than this does not count (ms). */
  maxVerifyAgeMs: number;
  /** A table whose copy lags MySQL by more than this is not ready (ms). */
  maxLagMs: number;
}

export interface GateOptions extends GateSettings {
  now: Date;
}

/** The defaults of `strangler ready`, which every other reader of the gate (ramps, console, admin API) uses too. */
export const GATE_DEFAULTS: GateSettings = { maxMismatchPct: 1, minCompared: 100, errorMarginPct: 1, maxVerifyAgeMs: 86_400_000, maxLagMs: 300_000 };
/** `routes[].slo` when a route is not in the config. */
export const DEFAULT_SLO = { p95Ms: 500, vsLegacy: 1.25 } as const;
/** Fewer live answers of new than this say nothing about its latency. */
export const MIN_LIVE_ANSWERS = 50;

/** A route's gate from its config (slo, tables); the defaults for a route the config does not name. */
export function gateOf(route: { slo?: { p95Ms: number; vsLegacy: number }; tables?: readonly string[] } | undefined): RouteGateConfig {
  return { slo: route?.slo ?? DEFAULT_SLO, ...(route?.tables && { tables: route.tables }) };
}

/** The latency of the route's live traffic as the proxy measured it, per backend. */
export interface LiveLatency {
  /** What the figures cover, e.g. "since the proxy started". */
  span: string;
  legacy: { requests: number; p95Ms: number | null };
  new: { requests: number; p95Ms: number | null };
}

/** What the gate judges besides the diff records. */
export interface GateEvidence {
  data?: DataEvidence;
  /** Why there is no `data`, when the reader knows: no checkpoint store configured, or it did not answer. */
  dataUnjudged?: string;
  /** Per route. */
  live?: ReadonlyMap<string, LiveLatency>;
}

export interface Criterion {
  name: 'responses' | 'latency' | 'errors' | 'data';
  ok: boolean;
  /** The figure behind the verdict, as a person reads it. */
  figure: string;
  /** False when its evidence could not be read: it is not judged, and fails (the figure says why). */
  judged?: false;
}

export interface RouteReadiness {
  route: string;
  ready: boolean;
  criteria: Criterion[];
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** One latency source judged against the budget: the figure, and whether it passes. */
function latencyCheck(what: string, newP95: number, legacyP95: number | undefined, slo: RouteGateConfig['slo']): { ok: boolean; figure: string } {
  const vsLegacy = legacyP95 === undefined ? true : newP95 <= slo.vsLegacy * legacyP95;
  return {
    ok: newP95 <= slo.p95Ms && vsLegacy,
    figure: `${what}: new p95 ${Math.round(newP95)} ms (≤ ${slo.p95Ms} ms budget${legacyP95 === undefined ? '; no legacy answers to compare' : ` and ≤ ${slo.vsLegacy}× legacy's ${Math.round(legacyP95)} ms`})`,
  };
}

function latencyCriterion(r: RouteReport, gate: RouteGateConfig, live: LiveLatency | undefined): Criterion {
  const checks: { ok: boolean; figure: string }[] = [];
  const newP95 = r.latencyMs.new.p95;
  if (newP95 !== undefined && r.latencyMs.legacy.p95 !== undefined) checks.push(latencyCheck('shadow pairs', newP95, r.latencyMs.legacy.p95, gate.slo));
  if (live !== undefined && live.new.p95Ms !== null && live.new.requests >= MIN_LIVE_ANSWERS) {
    const legacy = live.legacy.p95Ms !== null && live.legacy.requests >= MIN_LIVE_ANSWERS ? live.legacy.p95Ms : undefined;
    checks.push(latencyCheck(`live, ${live.new.requests} answers of new ${live.span}`, live.new.p95Ms, legacy, gate.slo));
  }
  if (checks.length === 0) return { name: 'latency', ok: false, figure: `no timed pairs${live ? ` and ${live.new.requests} live answer(s) of new (< ${MIN_LIVE_ANSWERS})` : ''}` };
  return { name: 'latency', ok: checks.every((c) => c.ok), figure: checks.map((c) => c.figure).join('; ') };
}

export function routeReadiness(r: RouteReport, gate: RouteGateConfig, evidence: GateEvidence, o: GateOptions): RouteReadiness {
  const criteria: Criterion[] = [];
  criteria.push({
    name: 'responses',
    ok: r.compared >= o.minCompared && r.mismatchUpper95 * 100 <= o.maxMismatchPct,
    figure: `${r.compared} pair(s) compared (≥ ${o.minCompared}), mismatch ${pct(r.mismatchRate)}, upper bound ${pct(r.mismatchUpper95)} (≤ ${o.maxMismatchPct}%)`,
  });
  criteria.push(latencyCriterion(r, gate, evidence.live?.get(r.route)));

  const newUpper = wilsonUpper(r.failures.new, r.compared);
  const legacyRate = r.compared === 0 ? 0 : r.failures.legacy / r.compared;
  criteria.push({
    name: 'errors',
    ok: r.compared > 0 && newUpper * 100 <= legacyRate * 100 + o.errorMarginPct,
    figure: `new failed ${r.failures.new} of ${r.compared} (upper bound ${pct(newUpper)}), legacy ${r.failures.legacy} (${pct(legacyRate)}), margin ${o.errorMarginPct} points`,
  });

  if (gate.tables !== undefined && gate.tables.length > 0) criteria.push({ name: 'data', ...dataCriterion(gate.tables, evidence.data, o, evidence.dataUnjudged) });
  return { route: r.route, ready: criteria.every((c) => c.ok), criteria };
}

/** Every route of a report judged under its config (a route the config does not name: the defaults). */
export function judgeReport(report: Report, routes: ReadonlyMap<string, Parameters<typeof gateOf>[0]>, evidence: GateEvidence, settings: GateSettings, now = new Date()): RouteReadiness[] {
  return report.routes.map((r) => routeReadiness(r, gateOf(routes.get(r.route)), evidence, { ...settings, now }));
}

/** `ready --json`, GET /readiness and GET /routes/:name/readiness: ready only when every route judged is. */
export function readinessJson(verdicts: RouteReadiness[]): { ready: boolean; routes: RouteReadiness[] } {
  return { ready: verdicts.length > 0 && verdicts.every((v) => v.ready), routes: verdicts };
}

export function formatReadiness(list: readonly RouteReadiness[]): string {
  const lines: string[] = [];
  for (const r of list) {
    lines.push(`${r.route}: ${r.ready ? 'READY' : 'NOT READY'}`);
    for (const c of r.criteria) lines.push(`  ${c.ok ? '✓' : '✗'} ${c.name.padEnd(9)} ${c.figure}`);
  }
  const ready = list.filter((r) => r.ready).length;
  lines.push(`${ready} of ${list.length} route(s) ready`);
  return lines.join('\n') + '\n';
}
