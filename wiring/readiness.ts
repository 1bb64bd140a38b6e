/** The readiness probe a proxy's ramps ask before each step with --require-ready: the diff records its config names, judged by the gate. */
import type { Config } from '../config/schema.js';
import { readRecords, rotatedFiles } from '../diffs/jsonl-read.js';
import { createReport } from '../diffs/report/compute.js';
import { routeReadiness } from '../diffs/report/readiness.js';
import type { DiffRecord } from '../diffs/types.js';
import type { ReadinessProbe } from '../proxy/ramp/runner.js';
import { diffFileFromConfig, openDiffStore } from './diffs.js';

/** The defaults of `strangler ready`. */
const GATE = { maxMismatchPct: 1, minCompared: 100, errorMarginPct: 1, maxVerifyAgeMs: 86_400_000 };

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
    const acc = createReport({ routes: routes.map((r) => r.name), since: new Date(Date.now() - 86_400_000), maxMismatchPct: GATE.maxMismatchPct, minCompared: GATE.minCompared });
    for await (const r of records(c)) acc.add(r);
    const failing: string[] = [];
    for (const report of acc.finish().routes) {
      const cfg = routes.find((r) => r.name === report.route)!;
      const v = routeReadiness(report, { slo: cfg.slo }, undefined, { ...GATE, now: new Date() });
      for (const k of v.criteria) if (!k.ok) failing.push(`${report.route} ${k.name}: ${k.figure}`);
    }
    return { ok: failing.length === 0, reason: failing.join('; ') };
  };
}
