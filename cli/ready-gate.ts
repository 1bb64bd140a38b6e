/** The readiness gate's flags (shared by `ready` and `diffs report --gate`); the wiring is wiring/readiness.ts. */
import { InvalidArgumentError } from 'commander';
import { parseDurationMs } from '../config/duration.js';
import type { Config } from '../config/schema.js';
import type { Report } from '../diffs/report/compute.js';
import type { RouteReadiness } from '../diffs/report/readiness.js';
import { dataEvidenceFor, gateReport } from '../wiring/readiness.js';

export interface GateFlags {
  maxMismatch: number;
  minCompared: number;
  errorMargin: number;
  verifyReport?: string;
  maxVerifyAge: number;
  maxLag: number;
}

export function durationArg(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined) throw new InvalidArgumentError(`expected a duration such as 30m, 24h or 7d, got "${value}"`);
  return ms;
}

/**
 * The flags as the gate's settings, and the data criterion's evidence (wiring/readiness.ts: the
 * verify report the flags name, else the checkpoint store).
 */
export async function gateFromFlags(report: Report, config: Config | undefined, flags: GateFlags, now = new Date()): Promise<RouteReadiness[]> {
  const settings = { maxMismatchPct: flags.maxMismatch, minCompared: flags.minCompared, errorMarginPct: flags.errorMargin, maxVerifyAgeMs: flags.maxVerifyAge, maxLagMs: flags.maxLag };
  const data = await dataEvidenceFor(report, config, flags.verifyReport, now);
  return gateReport(report, config, settings, data ? { data } : {}, now);
}

/** `diffs report --gate`: the report's verdicts become the gate's, each failed criterion one more reason. */
export async function applyGate(report: Report, config: Config | undefined, flags: GateFlags): Promise<void> {
  const verdicts = await gateFromFlags(report, config, flags);
  report.routes.forEach((r, i) => {
    const v = verdicts[i]!;
    for (const c of v.criteria) if (!c.ok && c.name !== 'responses') r.reasons.push(`${c.name}: ${c.figure}`);
    r.ready = v.ready;
  });
  report.ready = report.routes.length > 0 && report.routes.every((r) => r.ready);
}
