/**
 * The data criterion of the readiness gate (pure): the tables a route names must each have a
 * clean, recent `migrate verify`, and their copy in Datastore must not lag MySQL by more than a
 * bound. The evidence comes from the checkpoint store (each verify's mark, the follow stream's or
 * the last sync's position) or from a verify report file (no lag in it).
 */

/** What is known of one table. */
export interface TableEvidence {
  table: string;
  /** Its last `migrate verify`; absent when none ran (or the report does not list it). */
  verify?: { at: string; clean: boolean; missing?: number; extra?: number; fieldDiffs?: number };
  /** How far behind MySQL the copy is, and by which measure; absent when unknown. */
  lag?: { seconds: number; from: 'follow' | 'sync' | 'backfill' };
}

export interface DataEvidence {
  /** Where it was read, for the figure: "the checkpoint store", "verify.json". */
  source: string;
  tables: readonly TableEvidence[];
}

/** What `migrate verify --report FILE` wrote: when, and per table whether it was clean. */
export interface VerifyEvidence {
  at: string;
  tables: readonly { table: string; clean: boolean }[];
}

export function verifyReportEvidence(report: VerifyEvidence, source: string): DataEvidence {
  return { source, tables: report.tables.map((t) => ({ table: t.table, verify: { at: report.at, clean: t.clean } })) };
}

export interface DataBounds {
  maxVerifyAgeMs: number;
  maxLagMs: number;
  now: Date;
}

const minutes = (ms: number) => Math.round(ms / 60_000);

/**
 * The data criterion over `tables`: ok, and the figure a person reads. Without evidence it is not
 * judged, and a gate that cannot tell does not pass: it fails, saying why (`unjudged`) instead of a figure.
 */
export function dataCriterion(tables: readonly string[], data: DataEvidence | undefined, b: DataBounds, unjudged?: string): { ok: boolean; figure: string; judged?: false } {
  if (data === undefined) {
    return { ok: false, judged: false, figure: `not judged: tables ${tables.join(', ')}: ${unjudged ?? 'no checkpoint store in the config (no migrate section), and no --verify-report FILE'}` };
  }
  const problems: string[] = [];
  const facts: string[] = [];
  for (const table of tables) {
    const t = data.tables.find((x) => x.table === table);
    if (t?.verify === undefined) {
      problems.push(`${table} never verified`);
      continue;
    }
    const ageMs = b.now.getTime() - Date.parse(t.verify.at);
    const counts = t.verify.missing === undefined ? '' : ` (${t.verify.missing} missing, ${t.verify.extra ?? 0} extra, ${t.verify.fieldDiffs ?? 0} field diffs)`;
    if (!t.verify.clean) problems.push(`${table} not clean${counts}`);
    if (!Number.isFinite(ageMs) || ageMs > b.maxVerifyAgeMs) problems.push(`${table} verified ${Number.isFinite(ageMs) ? `${minutes(ageMs)} min ago` : `at "${t.verify.at}"`} (≤ ${minutes(b.maxVerifyAgeMs)} min)`);
    if (t.lag !== undefined && t.lag.seconds * 1000 > b.maxLagMs) problems.push(`${table} ${t.lag.seconds} s behind MySQL by ${t.lag.from} (≤ ${Math.round(b.maxLagMs / 1000)} s)`);
    if (t.verify.clean) facts.push(`${table} clean ${minutes(Math.max(0, ageMs))} min ago${t.lag ? `, ${t.lag.seconds} s behind (${t.lag.from})` : ''}`);
  }
  const figure = [`from ${data.source}`, ...(problems.length > 0 ? problems : facts)].join('; ');
  return { ok: problems.length === 0, figure: problems.length > 0 ? `${figure}` : `${figure} (verify ≤ ${minutes(b.maxVerifyAgeMs)} min old, lag ≤ ${Math.round(b.maxLagMs / 1000)} s)` };
}
