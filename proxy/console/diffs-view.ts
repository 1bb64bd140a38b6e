/**
 * The console's Diffs page: the same report `strangler diffs report` prints (diffs/report), plus a
 * few example pairs per differing field and a field filter; and one pair looked up by its id.
 * Records are streamed from the diff store the proxy writes; nothing here is on the request path.
 */
import { genericPath } from '../../diffs/pointer.js';
import { createReport, type Report } from '../../diffs/report/compute.js';
import type { DiffRecord } from '../../diffs/types.js';
import { GATE_DEFAULTS } from '../../diffs/report/readiness.js';

export interface DiffFilters {
  route?: string;
  since?: Date;
  /** A generic path ("/items/*\/price"): only records where it differs. */
  field?: string;
}

export interface DiffThresholds {
  maxMismatchPct: number;
  minCompared: number;
}

/** The report's defaults (cli/diffs-report.ts): ready at ≤ 1% upper bound with ≥ 100 pairs. */
export const DEFAULT_THRESHOLDS: DiffThresholds = { maxMismatchPct: GATE_DEFAULTS.maxMismatchPct, minCompared: GATE_DEFAULTS.minCompared };

export interface DiffsPage {
  report: Report;
  /** route → generic path → up to EXAMPLES record ids where that field differs (newest last). */
  examples: Record<string, Record<string, string[]>>;
  /** Every route and field seen, for the filter lists. */
  routes: string[];
}

const EXAMPLES = 3;

function keep(r: DiffRecord, f: DiffFilters): boolean {
  if (f.route && r.route !== f.route) return false;
  if (f.since && !(Date.parse(r.time) >= f.since.getTime())) return false;
  if (f.field && !r.differences.some((d) => genericPath(d.path) === f.field)) return false;
  return true;
}

export async function diffsPage(records: AsyncIterable<DiffRecord>, filters: DiffFilters, options: DiffThresholds & { expectedRoutes: readonly string[]; top?: number }): Promise<DiffsPage> {
  const acc = createReport({
    ...(filters.route ? { routes: [filters.route] } : {}),
    maxMismatchPct: options.maxMismatchPct,
    minCompared: options.minCompared,
    expectedRoutes: options.expectedRoutes,
    top: options.top ?? 20,
  });
  const examples: Record<string, Record<string, string[]>> = {};
  const routes = new Set(options.expectedRoutes);
  for await (const r of records) {
    routes.add(r.route);
    if (!keep(r, filters)) continue;
    acc.add(r);
    const byField = (examples[r.route] ??= {});
    for (const d of r.differences) {
      const list = (byField[genericPath(d.path)] ??= []);
      if (list[list.length - 1] === r.id) continue;
      list.push(r.id);
      if (list.length > EXAMPLES) list.shift();
    }
  }
  return { report: acc.finish(), examples, routes: [...routes].sort() };
}

export async function findPair(records: AsyncIterable<DiffRecord>, id: string): Promise<DiffRecord | undefined> {
  let found: DiffRecord | undefined;
  for await (const r of records) if (r.id === id) found = r;
  return found;
}
