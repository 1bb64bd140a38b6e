/**
 * Wiring of the readiness gate: a config in, each route's checklist out (`strangler ready`, `diffs
 * report --gate`, the demo), with the data criterion read from the migrators' checkpoint store. A
 * running proxy judges the same gate itself (proxy/readiness/), for its admin API and its ramps.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { StranglerError, describeCause } from '../core/errors.js';
import type { Report } from '../diffs/report/compute.js';
import { judgeReport, type DataEvidence, type GateEvidence, type GateSettings, type RouteReadiness, type VerifyEvidence } from '../diffs/report/readiness.js';
import { verifyReportEvidence } from '../diffs/report/readiness-data.js';
import { migrationsView } from '../proxy/console/migrations-view.js';
import { FOLLOW_STREAM } from '../migrators/checkpoint/contract.js';
import { dataEvidence } from '../proxy/readiness/data-evidence.js';
import { checkpointReader, checkpointStoreLabel } from './console-sources.js';

/** Each reported route's readiness under its config's slo and tables (a route not in the config: the defaults). */
export function gateReport(report: Report, config: Config | undefined, settings: GateSettings, evidence: GateEvidence, now = new Date()): RouteReadiness[] {
  return judgeReport(report, new Map((config?.proxy?.routes ?? []).map((r) => [r.name, r])), evidence, settings, now);
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
 * The data criterion's evidence for a report: the verify report `verifyReport` names, else (when a
 * judged route names tables) the checkpoint store of the config's migrate.target; else none.
 */
export async function dataEvidenceFor(report: Report, config: Config | undefined, verifyReport: string | undefined, now = new Date()): Promise<DataEvidence | undefined> {
  if (verifyReport !== undefined) return verifyReportEvidence(readVerifyReport(verifyReport), verifyReport);
  const named = new Set((config?.proxy?.routes ?? []).filter((r) => r.tables?.length).map((r) => r.name));
  return config && report.routes.some((r) => named.has(r.route)) ? checkpointEvidence(config, now) : undefined;
}

/**
 * The data criterion's evidence from the checkpoint store of the config's migrate.target: each
 * table's last `migrate verify` and its catch-up lag (undefined without a migrate section). A store
 * that does not answer within the reader's deadline is STRANGLER_E_READINESS_UNAVAILABLE.
 */
export async function checkpointEvidence(config: Config, now = new Date()): Promise<DataEvidence | undefined> {
  const migrate = config.migrate;
  if (!migrate) return undefined;
  const reader = checkpointReader(migrate.target);
  try {
    const [view, follow] = await Promise.all([migrationsView(reader.store, Object.keys(migrate.tables), now), reader.store.getStreamMark(FOLLOW_STREAM)]);
    return dataEvidence(view, follow, checkpointStoreLabel(migrate.target.projectId));
  } catch (err) {
    throw new StranglerError('STRANGLER_E_READINESS_UNAVAILABLE', `the readiness gate's data criterion: ${reader.unreadable(err)}`, {
      cause: err,
      hint: `start the Datastore emulator or fix DATASTORE_EMULATOR_HOST / migrate.target in ${config.file}, or pass --verify-report FILE from strangler migrate verify --report`,
    });
  } finally {
    await reader.close();
  }
}
