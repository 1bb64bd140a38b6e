/** The readiness gate's flags (shared by `ready` and `diffs report --gate`); the wiring is wiring/readiness.ts. */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { parseDurationMs } from '../config/duration.js';
import type { Config } from '../config/schema.js';
import { StranglerError, describeCause } from '../core/errors.js';
import type { Report } from '../diffs/report/compute.js';
import type { DataEvidence, RouteReadiness, VerifyEvidence } from '../diffs/report/readiness.js';
import { verifyReportEvidence } from '../diffs/report/readiness-data.js';
import { checkpointEvidence, gateReport } from '../wiring/readiness.js';

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

/** The report `migrate verify --report FILE` wrote. */
export function readVerifyReport(file: string): VerifyEvidence {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new StranglerError('STRANGLER_E_READY_VERIFY_REPORT', `cannot read the verify report ${file}: ${describeCause(err)}`, { hint: 'write one with strangler migrate verify -c FILE --report verify.json' });
  }
  const v = parsed as Partial<VerifyEvidence>;
  if (typeof v?.at !== 'string' || !Array.isArray(v.tables) || !v.tables.every((t) => typeof t?.table === 'string' && typeof t.clean === 'boolean')) {
    throw new StranglerError('STRANGLER_E_READY_VERIFY_REPORT', `${file} is not a report of strangler migrate verify`, { hint: 'write one with strangler migrate verify -c FILE --report verify.json' });
  }
  return { at: v.at, tables: v.tables };
}

/**
 * The flags as the gate's settings, and the data criterion's evidence: the verify report the flags
 * name, else (when a judged route names tables) the checkpoint store of the config's migrate.target.
 */
export async function gateFromFlags(report: Report, config: Config | undefined, flags: GateFlags, now = new Date()): Promise<RouteReadiness[]> {
  const settings = { maxMismatchPct: flags.maxMismatch, minCompared: flags.minCompared, errorMarginPct: flags.errorMargin, maxVerifyAgeMs: flags.maxVerifyAge, maxLagMs: flags.maxLag };
  const named = new Set((config?.proxy?.routes ?? []).filter((r) => r.tables?.length).map((r) => r.name));
  const wanted = report.routes.some((r) => named.has(r.route));
  let data: DataEvidence | undefined;
  if (flags.verifyReport !== undefined) data = verifyReportEvidence(readVerifyReport(flags.verifyReport), flags.verifyReport);
  else if (config && wanted) data = await checkpointEvidence(config, now);
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
