/**
 * The readiness gate of a route (pure): the diff report's responses verdict, plus the criteria a user
 * would notice after a cutover: latency (the route's SLO, and against legacy), errors (the new
 * service's failure rate against legacy's), and data (a clean, recent `migrate verify` of the tables
 * the route names).
 */
import type { RouteReport } from './compute.js';
import { wilsonUpper } from './stats.js';

export interface RouteGateConfig {
  slo: { p95Ms: number; vsLegacy: number };
  tables?: readonly string[];
}

export interface GateSettings {
  maxMismatchPct: number;
  minCompared: number;
  /** New's failure rate (95% upper bound) may exceed legacy's by this many percentage points. */
  errorMarginPct: number;
  /** A verify report older than this does not count (ms). */
  maxVerifyAgeMs: number;
}

export interface GateOptions extends GateSettings {
  now: Date;
}

/** The defaults of `strangler ready`, which every other reader of the gate (ramps, console, admin API) uses too. */
export const GATE_DEFAULTS: GateSettings = { maxMismatchPct: 1, minCompared: 100, errorMarginPct: 1, maxVerifyAgeMs: 86_400_000 };
/** `routes[].slo` when a route is not in the config. */
export const DEFAULT_SLO = { p95Ms: 500, vsLegacy: 1.25 } as const;

/** A route's gate from its config (slo, tables); the defaults for a route the config does not name. */
export function gateOf(route: { slo?: { p95Ms: number; vsLegacy: number }; tables?: readonly string[] } | undefined): RouteGateConfig {
  return { slo: route?.slo ?? DEFAULT_SLO, ...(route?.tables && { tables: route.tables }) };
}

/** What `migrate verify --report FILE` wrote: when, and per table whether it was clean. */
export interface VerifyEvidence {
  at: string;
  tables: readonly { table: string; clean: boolean }[];
}

export interface Criterion {
  name: 'responses' | 'latency' | 'errors' | 'data';
  ok: boolean;
  /** The figure behind the verdict, as a person reads it. */
  figure: string;
}

export interface RouteReadiness {
  route: string;
  ready: boolean;
  criteria: Criterion[];
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function routeReadiness(r: RouteReport, gate: RouteGateConfig, verify: VerifyEvidence | undefined, o: GateOptions): RouteReadiness {
  const criteria: Criterion[] = [];
  criteria.push({
    name: 'responses',
    ok: r.compared >= o.minCompared && r.mismatchUpper95 * 100 <= o.maxMismatchPct,
    figure: `${r.compared} pair(s) compared (≥ ${o.minCompared}), mismatch ${pct(r.mismatchRate)}, upper bound ${pct(r.mismatchUpper95)} (≤ ${o.maxMismatchPct}%)`,
  });

  const newP95 = r.latencyMs.new.p95;
  const legacyP95 = r.latencyMs.legacy.p95;
  if (newP95 === undefined || legacyP95 === undefined) criteria.push({ name: 'latency', ok: false, figure: 'no timed pairs' });
  else {
    const limit = Math.min(gate.slo.p95Ms, gate.slo.vsLegacy * legacyP95);
    criteria.push({
      name: 'latency',
      ok: newP95 <= limit,
      figure: `new p95 ${Math.round(newP95)} ms (≤ ${gate.slo.p95Ms} ms budget and ≤ ${gate.slo.vsLegacy}× legacy's ${Math.round(legacyP95)} ms)`,
    });
  }

  const newUpper = wilsonUpper(r.failures.new, r.compared);
  const legacyRate = r.compared === 0 ? 0 : r.failures.legacy / r.compared;
  criteria.push({
    name: 'errors',
    ok: r.compared > 0 && newUpper * 100 <= legacyRate * 100 + o.errorMarginPct,
    figure: `new failed ${r.failures.new} of ${r.compared} (upper bound ${pct(newUpper)}), legacy ${r.failures.legacy} (${pct(legacyRate)}), margin ${o.errorMarginPct} points`,
  });

  if (gate.tables !== undefined && gate.tables.length > 0) {
    if (verify === undefined) criteria.push({ name: 'data', ok: false, figure: `tables ${gate.tables.join(', ')}: no verify report given (--verify-report FILE)` });
    else {
      const ageMs = o.now.getTime() - Date.parse(verify.at);
      const missing = gate.tables.filter((t) => !verify.tables.some((v) => v.table === t));
      const dirty = gate.tables.filter((t) => verify.tables.some((v) => v.table === t && !v.clean));
      const fresh = Number.isFinite(ageMs) && ageMs <= o.maxVerifyAgeMs;
      const parts = [`verify of ${verify.at} (${Math.round(ageMs / 60_000)} min old, ≤ ${Math.round(o.maxVerifyAgeMs / 60_000)} min)`];
      if (missing.length) parts.push(`not verified: ${missing.join(', ')}`);
      if (dirty.length) parts.push(`not clean: ${dirty.join(', ')}`);
      if (!missing.length && !dirty.length) parts.push(`${gate.tables.join(', ')} clean`);
      criteria.push({ name: 'data', ok: fresh && missing.length === 0 && dirty.length === 0, figure: parts.join('; ') });
    }
  }
  return { route: r.route, ready: criteria.every((c) => c.ok), criteria };
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
