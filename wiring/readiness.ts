/** The readiness probe a proxy's ramps ask before each step with --require-ready: the diff records its config names, judged by the gate. */
import type { Config } from '../config/schema.js';
import { readRecords, rotatedFiles } from '../diffs/jsonl-read.js';
import { createReport, type Report } from '../diffs/report/compute.js';
import { GATE_DEFAULTS, gateOf, routeReadiness, type GateSettings, type RouteReadiness, type VerifyEvidence } from '../diffs/report/readiness.js';
import type { DiffRecord } from '../diffs/types.js';
import type { ReadinessProbe } from '../proxy/ramp/runner.js';
import { diffFileFromConfig, openDiffStore } from './diffs.js';

/** Each reported route's readiness under its config's slo and tables (a route not in the config: the defaults). */
export function gateReport(report: Report, config: Config | undefined, settings: GateSettings, verify: VerifyEvidence | undefined, now = new Date()): RouteReadiness[] {
  const routes = new Map((config?.proxy?.routes ?? []).map((r) => [r.name, r]));
  return report.routes.map((r) => routeReadiness(r, gateOf(routes.get(r.route)), verify, { ...settings, now }));
}

async function* records(config: Config): AsyncGenerator<DiffRecord> {
  if (config.proxy?.diffs.store === 'redis') {
    const store = openDiffStore(config);
    try {
      yield* store.records();
    } finally {
      await store.close();
    }
    return;
  }
  const { path, maxFiles } = diffFileFromConfig(config);
  yield* readRecords(rotatedFiles(path, maxFiles));
}

/**
 * Responses, latency and errors with `strangler ready`'s defaults, over the pairs of the last 24 h of
 * the ramp's routes. The data criterion is not asked here (it needs a verify report, which
 * `strangler ready --verify-report` reads): run the gate itself before starting the ramp.
 */
export function readinessProbe(config: () => Config): ReadinessProbe {
  return async (target) => {
    const c = config();
    const routes = (c.proxy?.routes ?? []).filter((r) => r.name === target || r.group === target);
    const acc = createReport({ routes: routes.map((r) => r.name), since: new Date(Date.now() - 86_400_000), maxMismatchPct: GATE_DEFAULTS.maxMismatchPct, minCompared: GATE_DEFAULTS.minCompared });
    for await (const r of records(c)) acc.add(r);
    const failing: string[] = [];
    for (const report of acc.finish().routes) {
      const cfg = routes.find((r) => r.name === report.route)!;
      const v = routeReadiness(report, { slo: cfg.slo }, undefined, { ...GATE_DEFAULTS, now: new Date() });
      for (const k of v.criteria) if (!k.ok) failing.push(`${report.route} ${k.name}: ${k.figure}`);
    }
    return { ok: failing.length === 0, reason: failing.join('; ') };
  };
}
